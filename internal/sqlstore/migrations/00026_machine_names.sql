-- API users and service accounts carried their kind as a last name
-- ("robot api"), which sorted them among people by a name nobody has
-- (issue 17, item 7). They have a name, in first_name, and no last name.

-- +goose Up
UPDATE users SET last_name = '', last_name_key = '' WHERE kind <> 'human' AND last_name = kind;

-- +goose Down
UPDATE users SET last_name = kind, last_name_key = kind WHERE kind <> 'human' AND last_name = '';
