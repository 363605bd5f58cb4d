package tenantry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"
)

// Store is Tenantry's persistence. Every change happens inside Update, in
// one transaction; reads that must agree with each other use View.
type Store interface {
	// Update runs fn in a read-write transaction, committed when fn
	// returns nil and rolled back otherwise.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Pools describes the store's connection pools, for metrics.
	Pools() []PoolStats
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Epoch returns the security epoch, read outside any transaction: a
	// number that changes, in the same transaction, with every change to
	// the rows authentication and decisions read on each request (users,
	// grants, organizations, account services, sessions, personal and
	// revoked tokens), except to columns written often that nothing
	// cached reads (last sign-in, last seen, SIM totals). Rows read after
	// the epoch was e are still true while it is e, on every instance.
	Epoch(ctx context.Context) (int64, error)
	// AfterBulkLoad brings the planner's statistics of tables up to date
	// after many rows went in at once, where the database would not by
	// itself soon enough: PostgreSQL's autovacuum analyses a table a
	// while later, or never where it is off, and plans the meantime for
	// the table as it was. SQLite, which plans from its own rules
	// without statistics here, has nothing to do.
	AfterBulkLoad(ctx context.Context, tables ...string) error
	Close() error
}

// Tx is one transaction. Lookups return NotFound when nothing matches;
// inserts and updates return Conflict when a unique value is taken.
type Tx interface {
	// Now is the one time of the transaction, from the store's clock.
	Now() time.Time

	// CreateOrg inserts o; it sets o.CreatedAt and o.UpdatedAt.
	CreateOrg(ctx context.Context, o *Org) error
	// Org returns the organization with id, or NotFound.
	Org(ctx context.Context, id string) (*Org, error)
	// PlatformOrg returns the platform organization, or NotFound before bootstrap.
	PlatformOrg(ctx context.Context) (*Org, error)
	// AccountByNumber returns the customer account with that number, or NotFound.
	AccountByNumber(ctx context.Context, number string) (*Org, error)
	// UpdateOrg writes o's mutable fields (name, type, status, channel, settings).
	UpdateOrg(ctx context.Context, o *Org) error
	// ChildOrgs returns the direct children of parentID, ordered by name.
	ChildOrgs(ctx context.Context, parentID string) ([]*Org, error)
	// OrgPath returns the organization with id and its ancestors, the org
	// first and its account (or the platform) last; NotFound if none.
	OrgPath(ctx context.Context, id string) ([]*Org, error)
	// Subtree returns up to limit organizations below id, nearest first
	// and by name within a level, with each one's depth (1 for a child).
	Subtree(ctx context.Context, id string, limit int) ([]*Org, []int, error)
	// NextSubNumber counts one more numbered sub-organization of an
	// account and returns the count.
	NextSubNumber(ctx context.Context, accountID string) (int64, error)
	// CreateIdP inserts an identity provider; it sets its times.
	CreateIdP(ctx context.Context, p *IdentityProvider) error
	// IdP returns the identity provider with id, or NotFound.
	IdP(ctx context.Context, id string) (*IdentityProvider, error)
	// UpdateIdP writes p's mutable fields.
	UpdateIdP(ctx context.Context, p *IdentityProvider) error
	// DeleteIdP removes an identity provider no user signs in with.
	DeleteIdP(ctx context.Context, id string) error
	// OrgIdPs returns the identity providers an org set up itself, by name.
	OrgIdPs(ctx context.Context, orgID string) ([]*IdentityProvider, error)
	// UsersByExternalLogin returns up to two users who sign in through the
	// identity provider with value as their login: their external login,
	// or their e-mail where they have none, case-insensitively.
	UsersByExternalLogin(ctx context.Context, idpID, value string) ([]*User, error)
	// EndIdPSessions ends the sessions of everyone who signs in through an
	// identity provider.
	EndIdPSessions(ctx context.Context, idpID string) error
	// CountIdPUsers counts the users who sign in through an identity provider.
	CountIdPUsers(ctx context.Context, idpID string) (int, error)
	// CreateRelyingParty registers an application's OpenID Connect client.
	CreateRelyingParty(ctx context.Context, rp *RelyingParty) error
	// UpdateRelyingParty writes an application's redirect and logout URIs.
	UpdateRelyingParty(ctx context.Context, rp *RelyingParty) error
	// RelyingParty returns the relying party with clientID, or NotFound.
	RelyingParty(ctx context.Context, clientID string) (*RelyingParty, error)
	// RelyingParties returns every relying party, by name.
	RelyingParties(ctx context.Context) ([]*RelyingParty, error)
	// CreateOIDCRequest stores an authorization request.
	CreateOIDCRequest(ctx context.Context, r *OIDCRequest) error
	// OIDCRequest returns an unexpired authorization request, or NotFound.
	OIDCRequest(ctx context.Context, id string) (*OIDCRequest, error)
	// OIDCRequestByCode returns the unexpired request a code was issued
	// for, by the code's hash, or NotFound.
	OIDCRequestByCode(ctx context.Context, codeHash string) (*OIDCRequest, error)
	// UpdateOIDCRequest writes the sign-in's part of r (user, org, amr,
	// auth time, code).
	UpdateOIDCRequest(ctx context.Context, r *OIDCRequest) error
	// DeleteOIDCRequest removes an authorization request.
	DeleteOIDCRequest(ctx context.Context, id string) error
	// CreateOIDCRefresh stores a refresh token.
	CreateOIDCRefresh(ctx context.Context, t *OIDCRefresh) error
	// OIDCRefresh returns a refresh token by hash, used or not, or NotFound.
	OIDCRefresh(ctx context.Context, hash string) (*OIDCRefresh, error)
	// UseOIDCRefresh marks an unused refresh token used; false when it was
	// used already (by a concurrent request, or a thief).
	UseOIDCRefresh(ctx context.Context, hash string) (bool, error)
	// EndOIDCRefresh removes a family of refresh tokens, or when family
	// is "", every refresh token of userID (with clientID, if not "").
	EndOIDCRefresh(ctx context.Context, family, userID, clientID string) error
	// CreateNotice stores a published notice; it sets n.CreatedAt.
	CreateNotice(ctx context.Context, n *Notice) error
	// Notices returns up to limit notices, newest first, that target one
	// of targets or were published by one of publishers.
	Notices(ctx context.Context, targets, publishers []string, limit int) ([]*Notice, error)
	// NoticeRecipients returns, by id after the given one, up to limit
	// active people of root's subtree (of every customer org when root is
	// the platform) who subscribe to kind and have an address.
	NoticeRecipients(ctx context.Context, root string, kind NoticeKind, after string, limit int) ([]*User, error)
	// Accounts returns customer accounts ordered by account number, after the
	// given account number, at most limit.
	Accounts(ctx context.Context, after string, limit int) ([]*Org, error)

	// CreateUser inserts u; Conflict names the field (login, email) taken.
	CreateUser(ctx context.Context, u *User) error
	// User returns the user with id, or NotFound.
	User(ctx context.Context, id string) (*User, error)
	// UserByLogin returns the user whose login matches case-insensitively, or NotFound.
	UserByLogin(ctx context.Context, login string) (*User, error)
	// UpdateUser writes u's mutable fields; Conflict names the login or e-mail taken.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes the user with its grants, sessions and tokens.
	DeleteUser(ctx context.Context, id string) error
	// ListUsers returns one page of an org's users, its own and those
	// linked to it, each with the roles they hold in the org, and the
	// cursor of the next page ("" on the last page). A listed user has no
	// password hash, and the grants carry id, role, service and end.
	ListUsers(ctx context.Context, f UserFilter) ([]ListedUser, string, error)
	// InitialOwners returns the users of an org marked as its initial owner.
	InitialOwners(ctx context.Context, orgID string) ([]*User, error)
	// Link lists a person of another org among an org's users; Unlink
	// stops that. Both are no-ops when there is nothing to do.
	Link(ctx context.Context, orgID, userID string) error
	Unlink(ctx context.Context, orgID, userID string) error
	// CountUsers counts an org's users.
	CountUsers(ctx context.Context, orgID string) (int, error)
	// QueryUsers returns one page of an org's own people that match the
	// query, oldest first, and how many match in all.
	QueryUsers(ctx context.Context, q UserQuery) ([]*User, int, error)
	// RoleHolders returns the org's own people who hold role (for service,
	// "" for a grant over every service) in the org, by id.
	RoleHolders(ctx context.Context, orgID, role, service string) ([]*User, error)

	// PutSCIMConnection creates or replaces an org's SCIM connection.
	PutSCIMConnection(ctx context.Context, c *SCIMConnection) error
	// SCIMConnection returns an org's SCIM connection, or NotFound.
	SCIMConnection(ctx context.Context, orgID string) (*SCIMConnection, error)
	// SCIMConnectionByToken returns the connection whose token has hash,
	// or NotFound.
	SCIMConnectionByToken(ctx context.Context, hash string) (*SCIMConnection, error)
	// TouchSCIMConnection records a use of the connection's token.
	TouchSCIMConnection(ctx context.Context, orgID string) error
	// DeleteSCIMConnection removes an org's SCIM connection, or NotFound.
	DeleteSCIMConnection(ctx context.Context, orgID string) error

	// Holdings returns the roles in force at now in an org, and with
	// subtree in every org below it too, with their holders' and orgs'
	// names, by org name, login and role; at most limit.
	Holdings(ctx context.Context, orgID string, subtree bool, now time.Time, limit int) ([]Holding, error)
	// CreateAccessReview inserts r and its items.
	CreateAccessReview(ctx context.Context, r *AccessReview, items []*AccessReviewItem) error
	// AccessReview returns the review with id and its counts, or NotFound.
	AccessReview(ctx context.Context, id string) (*AccessReview, error)
	// AccessReviews returns an org's reviews with their counts, newest first.
	AccessReviews(ctx context.Context, orgID string) ([]*AccessReview, error)
	// DueAccessReviews returns the open reviews due at or before at.
	DueAccessReviews(ctx context.Context, at time.Time) ([]*AccessReview, error)
	// AccessReviewItems returns a review's items, by org name, login and role.
	AccessReviewItems(ctx context.Context, reviewID string) ([]*AccessReviewItem, error)
	// AccessReviewItem returns one item of a review, or NotFound.
	AccessReviewItem(ctx context.Context, reviewID, itemID string) (*AccessReviewItem, error)
	// UpdateAccessReviewItem writes an item's decision and outcome.
	UpdateAccessReviewItem(ctx context.Context, it *AccessReviewItem) error
	// CloseAccessReview marks an open review closed by r.ClosedBy at
	// r.ClosedAt; Conflict when it is closed already.
	CloseAccessReview(ctx context.Context, r *AccessReview) error

	// CreateWebhookEndpoint inserts e; UpdateWebhookEndpoint writes its
	// URL, description, types, secrets, state; both set UpdatedAt.
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// WebhookEndpoint returns the endpoint with id, or NotFound.
	WebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error)
	// WebhookEndpoints returns an org's endpoints, oldest first.
	WebhookEndpoints(ctx context.Context, orgID string) ([]*WebhookEndpoint, error)
	// DeleteWebhookEndpoint removes an endpoint and its deliveries, or NotFound.
	DeleteWebhookEndpoint(ctx context.Context, id string) error
	// WebhookListeners returns the active endpoints of an org and of every
	// org above it: those that hear the org's events.
	WebhookListeners(ctx context.Context, orgID string) ([]*WebhookEndpoint, error)
	// EnqueueWebhook adds a delivery to the outbox.
	EnqueueWebhook(ctx context.Context, d *WebhookDelivery) error
	// WebhookBacklog counts the deliveries to active endpoints not yet
	// delivered nor given up, and when the oldest of them was queued
	// (zero when there is none).
	WebhookBacklog(ctx context.Context) (int64, time.Time, error)
	// ClaimWebhooks leases up to limit due deliveries of active endpoints
	// until leaseUntil, counting an attempt on each; several instances
	// never claim the same one.
	ClaimWebhooks(ctx context.Context, limit int, leaseUntil time.Time) ([]*WebhookDelivery, error)
	// ReleaseWebhooks ends the claims on deliveries, so they are due at once.
	ReleaseWebhooks(ctx context.Context, ids []string) error
	// RecordWebhookAttempt writes an attempt's outcome on the delivery and
	// its endpoint's FailingSince, and returns the endpoint as it stands.
	RecordWebhookAttempt(ctx context.Context, id string, a WebhookAttempt) (*WebhookEndpoint, error)
	// WebhookDelivery returns the delivery with id, or NotFound.
	WebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error)
	// WebhookDeliveries returns a page of an endpoint's deliveries.
	WebhookDeliveries(ctx context.Context, f DeliveryFilter) ([]*WebhookDelivery, error)
	// RetryWebhook makes a delivery due now again, as if new.
	RetryWebhook(ctx context.Context, id string) error
	// DeleteWebhookDeliveriesBefore removes deliveries finished before t.
	DeleteWebhookDeliveriesBefore(ctx context.Context, t time.Time) (int64, error)

	// CreateGrant inserts g; Conflict when the user holds that role there already.
	CreateGrant(ctx context.Context, g *Grant) error
	// Grant returns the grant with id, or NotFound.
	Grant(ctx context.Context, id string) (*Grant, error)
	// DeleteGrant removes the grant with id, or returns NotFound.
	DeleteGrant(ctx context.Context, id string) error
	// UserGrants returns every grant of a user, expired ones included.
	UserGrants(ctx context.Context, userID string) ([]Grant, error)
	// EndingGrants returns the grants that end after from and at or
	// before to, by end.
	EndingGrants(ctx context.Context, from, to time.Time) ([]Grant, error)
	// OrgGrants returns every grant in an org for the given users.
	OrgGrants(ctx context.Context, orgID string, userIDs []string) ([]Grant, error)

	// CreateToken inserts a one-time token.
	CreateToken(ctx context.Context, t *OneTimeToken) error
	// UseToken marks the unused, unexpired token with hash and purpose as
	// used and returns it; TokenInvalid otherwise. Of concurrent callers
	// exactly one succeeds.
	UseToken(ctx context.Context, hash string, purpose TokenPurpose) (*OneTimeToken, error)
	// PeekToken returns the token UseToken would use, without using it;
	// TokenInvalid likewise.
	PeekToken(ctx context.Context, hash string, purpose TokenPurpose) (*OneTimeToken, error)
	// DeleteUserTokens removes a user's tokens of one purpose.
	DeleteUserTokens(ctx context.Context, userID string, purpose TokenPurpose) error

	// DeleteAllUserTokens removes every one-time token of a user.
	DeleteAllUserTokens(ctx context.Context, userID string) error

	// CreateSession inserts s.
	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session with hash, or NotFound.
	Session(ctx context.Context, hash string) (*Session, error)
	// UserSessions returns a user's sessions, newest first.
	UserSessions(ctx context.Context, userID string) ([]*Session, error)
	// CompleteMFA clears a session's pending second factor and records
	// that the session proved its user now (AuthAt); re-authentication
	// records it the same way.
	CompleteMFA(ctx context.Context, hash string) error
	// DeleteSessionByID removes a user's session by its public id, or NotFound.
	DeleteSessionByID(ctx context.Context, userID, id string) error
	// DeleteOtherSessions removes every session of a user but the one with
	// keepHash, and says how many it removed.
	DeleteOtherSessions(ctx context.Context, userID, keepHash string) (int, error)
	// CapSessions ends the sessions of the people of orgID and of every
	// org below it at most maxAge after they began.
	CapSessions(ctx context.Context, orgID string, maxAge time.Duration) error
	// TouchSession sets a session's last-seen time.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	// DeleteSession removes one session; deleting a missing one is no error.
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions removes every session of a user.
	DeleteUserSessions(ctx context.Context, userID string) error

	// EnqueueMail adds m to the outbox unless a message with its key is
	// there already; it sets m.ID, m.CreatedAt and, when zero, m.DueAt.
	EnqueueMail(ctx context.Context, m *Mail) error
	// ClaimMail leases up to limit due, unsent messages until leaseUntil and
	// counts an attempt on each. Concurrent claimers get disjoint messages.
	ClaimMail(ctx context.Context, limit int, leaseUntil time.Time) ([]*Mail, error)
	// ReleaseMail ends the claims on messages, so they are due at once.
	ReleaseMail(ctx context.Context, ids []string) error
	// OutboxBacklog counts the messages not yet sent nor given up, and
	// when the oldest of them was queued (zero when there is none).
	OutboxBacklog(ctx context.Context) (int64, time.Time, error)
	// MailSent records that a message was delivered, and drops its body
	// (which may hold a live one-time link); a message given up on by
	// MailFailed is dropped the same way.
	MailSent(ctx context.Context, id string) error
	// MailFailed records a failed attempt; a zero retryAt gives up on the message.
	MailFailed(ctx context.Context, id, reason string, retryAt time.Time) error
	// Outbox returns the newest outbox messages, at most limit.
	Outbox(ctx context.Context, limit int) ([]*Mail, error)
	// DeliverToMailbox stores a message in the dev mailbox.
	DeliverToMailbox(ctx context.Context, m *Mail) error
	// TrimMailbox removes all but the newest keep messages of the dev
	// mailbox and returns how many it removed.
	TrimMailbox(ctx context.Context, keep int) (int64, error)
	// Mailbox returns the dev mailbox, newest first, at most limit.
	Mailbox(ctx context.Context, limit int) ([]*Mail, error)
	// MailboxMessage returns one dev mailbox message by id or id prefix.
	MailboxMessage(ctx context.Context, id string) (*Mail, error)

	// TOTP returns a user's TOTP secret, or NotFound.
	TOTP(ctx context.Context, userID string) (*TOTP, error)
	// PutTOTP creates or replaces a user's TOTP secret.
	PutTOTP(ctx context.Context, t *TOTP) error
	// UseTOTPStep accepts a time step newer than the last accepted one and
	// records it; an older or equal step is Conflict. Of concurrent
	// callers with the same step exactly one succeeds.
	UseTOTPStep(ctx context.Context, userID string, step int64) error
	// TOTPUserIDs lists the users that have a TOTP secret.
	TOTPUserIDs(ctx context.Context) ([]string, error)
	// DeleteTOTP removes a user's TOTP secret and recovery codes.
	DeleteTOTP(ctx context.Context, userID string) error
	// ReplaceRecoveryCodes stores a user's new recovery code hashes.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes []string) error
	// UseRecoveryCode marks an unused code used; NotFound otherwise.
	UseRecoveryCode(ctx context.Context, userID, hash string) error
	// RecoveryCodesLeft counts a user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID string) (int, error)

	// LockThrottle returns the throttle row of key, creating an empty one,
	// locked against concurrent changes until the transaction ends.
	LockThrottle(ctx context.Context, key string) (*Throttle, error)
	// PutThrottle writes a throttle row.
	PutThrottle(ctx context.Context, t *Throttle) error
	// DeleteThrottle forgets a key's failures.
	DeleteThrottle(ctx context.Context, key string) error
	// DeleteThrottlePrefix forgets the failures of every key that starts
	// with prefix.
	DeleteThrottlePrefix(ctx context.Context, prefix string) error

	// CreateInvitation inserts inv; Conflict when one is pending for that
	// person in that org.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// Invitation returns the invitation with id, or NotFound.
	Invitation(ctx context.Context, id string) (*Invitation, error)
	// InvitationByToken returns the invitation whose token hash matches, or NotFound.
	InvitationByToken(ctx context.Context, tokenHash string) (*Invitation, error)
	// UpdateInvitation writes status, token hash, expiry and user.
	UpdateInvitation(ctx context.Context, inv *Invitation) error
	// OrgInvitations returns an org's invitations, newest first.
	OrgInvitations(ctx context.Context, orgID string) ([]*Invitation, error)

	// DeleteOrg removes an organization with its people, their roles,
	// invitations, contacts and workflows; it holds no SIMs by then.
	DeleteOrg(ctx context.Context, id string) error
	// AddSIMCount changes an org's SIM total by delta.
	AddSIMCount(ctx context.Context, orgID string, delta int64) error

	// InsertSIMs adds new SIMs to an org, brought by the load loadID;
	// Conflict when one exists.
	InsertSIMs(ctx context.Context, orgID, status, loadID string, iccids []string) error
	// CreateSIMLoad records an inventory load.
	CreateSIMLoad(ctx context.Context, l *SIMLoad) error
	// SIMHistory returns the load that brought a SIM (nil for a SIM loaded
	// before loads were recorded) and, oldest first, the transfers with a
	// range that holds it, each with that range only. A transfer moved the
	// SIM when it came from the SIM's owner at the time.
	SIMHistory(ctx context.Context, iccid string) (*SIMLoad, []*Transfer, error)
	// DeleteEventsBefore removes audit events older than t and counts them.
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
	// IdempotentResponse returns what the actor's request with key
	// answered, or NotFound.
	IdempotentResponse(ctx context.Context, actorID, key string) (*IdempotentResponse, error)
	// PutIdempotentResponse keeps a request's answer; Conflict when the
	// actor used the key already.
	PutIdempotentResponse(ctx context.Context, r *IdempotentResponse) error
	// ExistingSIMs returns those of iccids that exist already.
	ExistingSIMs(ctx context.Context, iccids []string) ([]string, error)
	// SIM returns one SIM, or NotFound.
	SIM(ctx context.Context, iccid string) (*SIM, error)
	// ListSIMs returns one page of an org's SIMs by ICCID and the next cursor.
	ListSIMs(ctx context.Context, f SIMFilter) ([]*SIM, string, error)
	// CountRange counts the SIMs in a range (same-length ICCIDs from start
	// to end) that org owns. It says nothing of other orgs' SIMs, which
	// the caller may not see.
	CountRange(ctx context.Context, orgID, start, end string) (int64, error)
	// MoveRanges gives to every SIM of from in the ranges (in order, not
	// overlapping), marking it with transferID, and sets each range's
	// Moved to how many moved. It costs in proportion to the ranges of
	// ownership it touches, not to the SIMs they hold.
	MoveRanges(ctx context.Context, from, to, transferID string, ranges []TransferRange) error
	// CreateTransfer records a transfer with its ranges.
	CreateTransfer(ctx context.Context, t *Transfer) error
	// Transfers returns the transfers from or to an org, newest first.
	Transfers(ctx context.Context, orgID string, limit int) ([]*Transfer, error)

	// CreateWorkflow inserts w.
	CreateWorkflow(ctx context.Context, w *Workflow) error
	// Workflow returns one workflow, or NotFound.
	Workflow(ctx context.Context, id string) (*Workflow, error)
	// UpdateWorkflow writes status and closing time.
	UpdateWorkflow(ctx context.Context, w *Workflow) error
	// OrgWorkflows returns an org's workflows, open ones only if openOnly.
	OrgWorkflows(ctx context.Context, orgID string, openOnly bool) ([]*Workflow, error)
	// AccountWorkflows returns the workflows of an account and of every
	// organization in it, newest first, at most 500.
	AccountWorkflows(ctx context.Context, accountID string) ([]*Workflow, error)

	// AccountServices returns the services enabled for a customer
	// account, sorted.
	AccountServices(ctx context.Context, accountID string) ([]string, error)
	// SetAccountServices enables exactly services for an account.
	SetAccountServices(ctx context.Context, accountID string, services []string) error
	// DeleteServiceGrants removes every grant naming service in the orgs
	// of an account's tree, and returns how many it removed.
	DeleteServiceGrants(ctx context.Context, accountID, service string) (int64, error)

	// CreateJob inserts j as running; it sets StartedAt and BeatAt.
	CreateJob(ctx context.Context, j *Job) error
	// FinishJob writes j's status, done count and error, and the time it
	// ended; NotFound when no running job has its id.
	FinishJob(ctx context.Context, j *Job) error
	// Job returns one job, or NotFound.
	Job(ctx context.Context, id string) (*Job, error)
	// Jobs returns the newest jobs of a kind, at most limit.
	Jobs(ctx context.Context, kind string, limit int) ([]*Job, error)
	// BeatJobs records that instance still runs its running jobs.
	BeatJobs(ctx context.Context, instance string) error
	// FailStaleJobs marks failed, with reason, every running job whose
	// instance last beat before before, and returns them.
	FailStaleJobs(ctx context.Context, before time.Time, reason string) ([]*Job, error)

	// CreateServiceRequest inserts r.
	CreateServiceRequest(ctx context.Context, r *ServiceRequest) error
	// ServiceRequest returns one request, or NotFound.
	ServiceRequest(ctx context.Context, id string) (*ServiceRequest, error)
	// UpdateServiceRequest writes status, resolution and resolver.
	UpdateServiceRequest(ctx context.Context, r *ServiceRequest) error
	// ServiceRequests lists requests newest first: of one org, or of all
	// orgs when orgID is ""; of one status unless status is "".
	ServiceRequests(ctx context.Context, orgID, status string, limit int) ([]*ServiceRequest, error)

	// CreateContact inserts c.
	CreateContact(ctx context.Context, c *Contact) error
	// Contact returns one contact, or NotFound.
	Contact(ctx context.Context, id string) (*Contact, error)
	// UpdateContact writes c's fields.
	UpdateContact(ctx context.Context, c *Contact) error
	// DeleteContact removes one contact.
	DeleteContact(ctx context.Context, id string) error
	// OrgContacts returns an org's contacts.
	OrgContacts(ctx context.Context, orgID string) ([]*Contact, error)

	// ClientSecrets returns a user's client secrets, newest first.
	ClientSecrets(ctx context.Context, userID string) ([]*ClientSecret, error)
	// AddClientSecret stores a new client secret.
	AddClientSecret(ctx context.Context, s *ClientSecret) error
	// ExpireClientSecrets sets every other unexpiring or later-expiring
	// secret of the user to expire at at.
	ExpireClientSecrets(ctx context.Context, userID, exceptID string, at time.Time) error
	// DeleteClientSecret removes one secret of a user, or NotFound.
	DeleteClientSecret(ctx context.Context, userID, id string) error

	// SigningKeys returns every stored signing key, newest first.
	SigningKeys(ctx context.Context) ([]*SigningKey, error)
	// AddSigningKey stores a signing key.
	AddSigningKey(ctx context.Context, k *SigningKey) error
	// SetSigningKeyPrivate replaces the stored private key of kid (when it
	// is sealed anew); NotFound when there is no such key.
	SetSigningKeyPrivate(ctx context.Context, kid, private string) error
	// RevokeToken records a revoked token id until it would expire anyway.
	RevokeToken(ctx context.Context, jti string, expiresAt time.Time) error
	// TokenRevoked reports whether a token id was revoked.
	TokenRevoked(ctx context.Context, jti string) (bool, error)

	// CreatePersonalToken stores a personal access token.
	CreatePersonalToken(ctx context.Context, t *PersonalToken) error
	// PersonalTokenByHash returns the token with hash, or NotFound.
	PersonalTokenByHash(ctx context.Context, hash string) (*PersonalToken, error)
	// PersonalTokens returns a user's tokens, newest first.
	PersonalTokens(ctx context.Context, userID string) ([]*PersonalToken, error)
	// DeletePersonalToken removes one token of a user, or NotFound.
	DeletePersonalToken(ctx context.Context, userID, id string) error

	// Setting returns a stored setting, or NotFound.
	Setting(ctx context.Context, key string) (string, error)
	// PutSettingIfAbsent stores value under key unless one is there already.
	PutSettingIfAbsent(ctx context.Context, key, value string) error
	// PutSetting stores value under key.
	PutSetting(ctx context.Context, key, value string) error

	// Sweep deletes what has run out by now: expired sessions, used or
	// expired one-time tokens, revoked-token records past their expiry,
	// throttle rows idle since before idleBefore, and what finished before
	// doneBefore: sent or abandoned mail, dev mail, finished background
	// jobs. It returns the rows removed per table.
	Sweep(ctx context.Context, idleBefore, doneBefore time.Time) (map[string]int64, error)

	// AddEvent appends an audit event; it sets e.ID and e.CreatedAt.
	AddEvent(ctx context.Context, e *Event) error
	// Events returns one page of an org's audit events, newest first, with
	// each actor's current login.
	Events(ctx context.Context, f EventFilter) ([]*Event, error)
}

// EventFilter selects one page of an org's audit events, newest first.
type EventFilter struct {
	OrgID        string
	Before       string    // the id of the previous page's last event; "" for the first page
	ActionPrefix string    // "user." for every change to users; "" for all
	ActorLogin   string    // the acting person's or client's login; "" for anyone
	TargetID     string    // "" for any target
	Subtree      bool      // the org's events and those of every org below it
	Since, Until time.Time // zero for no bound; Until is exclusive
	Limit        int
}

// SIMFilter selects one page of an org's SIMs, ordered by ICCID.
type SIMFilter struct {
	OrgID  string
	Prefix string // ICCID prefix
	Status string
	Cursor string
	Limit  int
}

// ListedUser is a user of a list page with the roles they hold in the
// listed org, in order of role and service.
type ListedUser struct {
	*User
	Grants []Grant
}

// UserSort names a column the user list can be sorted by.
type UserSort string

// The user list sort keys.
const (
	SortLastName  UserSort = "last_name"
	SortFirstName UserSort = "first_name"
	SortLogin     UserSort = "login"
	SortEmail     UserSort = "email"
	SortCreated   UserSort = "created_at"
)

// UserSorts lists every valid sort key.
var UserSorts = []UserSort{SortLastName, SortFirstName, SortLogin, SortEmail, SortCreated}

// UserFilter selects one page of an org's users. The name filters are
// case-insensitive prefixes.
type UserFilter struct {
	OrgID string
	// Kinds, when set, lists only users of these kinds: people apart
	// from API users and service accounts (issue 17, item 7).
	Kinds     []UserKind
	FirstName string
	LastName  string
	Login     string
	Email     string
	Sort      UserSort
	Desc      bool
	Cursor    string // opaque, from the previous page
	Limit     int
}

// Cursor is the position after the last row of a page: its sort key and id.
type Cursor struct {
	Sort UserSort `json:"s"`
	Desc bool     `json:"d,omitempty"`
	Key  string   `json:"k"`
	ID   string   `json:"i"`
}

// Encode returns c as an opaque string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses s; it returns Invalid when s is not a cursor for the
// given sort order.
func DecodeCursor(s string, sort UserSort, desc bool) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" || !CleanText(c.ID) || !CleanText(c.Key) {
		return c, FieldInvalid("cursor", "not a cursor from this list")
	}
	if c.Sort != sort || c.Desc != desc {
		return c, FieldInvalid("cursor", "belongs to another sort order")
	}
	return c, nil
}

// PoolStats is one connection pool of a store, as metrics show it.
type PoolStats struct {
	Name        string // "write", or "read" where reads have a pool of their own
	Open, InUse int
	WaitCount   int64         // times a caller waited for a connection
	WaitTime    time.Duration // how long they waited in all
}
