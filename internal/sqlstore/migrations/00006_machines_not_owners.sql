-- API users and service accounts may no longer hold the Owner role (the
-- security audit's finding 1: such a credential could be removed by
-- nobody). Take it from any machine that was given it; a machine left
-- without a role can do nothing and is administered by the org's Owners
-- and Admins, who can delete it.

-- +goose Up
DELETE FROM grants WHERE role = 'owner' AND user_id IN (SELECT id FROM users WHERE kind <> 'human');

-- +goose Down
SELECT 1;
