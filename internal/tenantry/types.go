package tenantry

import (
	"strings"
	"time"
)

// OrgKind says where an organization stands in the deployment.
type OrgKind string

// The organization kinds.
const (
	// OrgPlatform is the one organization of the portal provider's operators.
	OrgPlatform OrgKind = "platform"
	// OrgAccount is a customer account: a root organization with an account number.
	OrgAccount OrgKind = "account"
	// OrgSub is a sub-organization below a customer account or another sub-organization.
	OrgSub OrgKind = "sub"
)

// OrgStatus is pending until the organization's owner has set a password.
type OrgStatus string

// The organization statuses.
const (
	OrgPending OrgStatus = "pending"
	OrgActive  OrgStatus = "active"
)

// Channel is how a customer account was bought.
type Channel string

// The sales channels. Marketplace accounts have no organization management (O5).
const (
	ChannelDirect      Channel = "direct"
	ChannelMarketplace Channel = "marketplace"
)

// OrgSettings are an organization's switches.
type OrgSettings struct {
	// Require2FA makes TOTP mandatory for the org's human users.
	Require2FA bool `json:"require_2fa"`
	// SelfManagedProfile enables phone, job title and company contacts for
	// the org's users (O6); the parent decides it.
	SelfManagedProfile bool `json:"self_managed_profile"`
	// SessionHours ends the org's people's sessions this many hours after
	// sign-in; 0 sets nothing (the parent's or the deployment's applies).
	SessionHours int `json:"session_hours"`
	// PasswordMinLength is the fewest characters a new password of the
	// org's people may have; 0 sets nothing.
	PasswordMinLength int `json:"password_min_length"`
	// RequireIdP makes the org's people, break-glass accounts aside,
	// sign in through an identity provider (B4).
	RequireIdP bool `json:"require_idp"`
	// TimeZone is the IANA name of the zone in which the org's people read
	// and give dates (end dates, due dates); "" follows the parent.
	TimeZone string `json:"time_zone,omitempty"`
}

// Org is an organization (tenant): the platform, a customer account or a
// sub-organization.
type Org struct {
	ID       string
	ParentID string // "" for the platform and customer accounts
	// AccountID is the customer account this org belongs to (its own ID for
	// an account, "" for the platform).
	AccountID     string
	Kind          OrgKind
	Type          string // optional: partner, folder, customer, unit
	Name          string
	AccountNumber string // customer accounts only
	// Number is a sub-organization's own number, where its catalogue
	// numbers its type: the account's number, a dash and a count.
	Number   string
	Status   OrgStatus
	Channel  Channel
	Settings OrgSettings
	// Catalogue names the role catalogue of the org's account (the
	// platform's is "platform"); sub-organizations share their account's.
	Catalogue string
	// SIMCount is how many SIMs the org holds, kept with every move.
	SIMCount  int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UserKind distinguishes people from machines.
type UserKind string

// The user kinds.
const (
	UserHuman   UserKind = "human"
	UserAPI     UserKind = "api"
	UserService UserKind = "service"
)

// UserStatus is a user's sign-in state.
type UserStatus string

// The user statuses.
const (
	UserInvited UserStatus = "invited"
	UserActive  UserStatus = "active"
	UserLocked  UserStatus = "locked"
)

// User is a person or machine that belongs to one organization.
type User struct {
	ID        string
	OrgID     string
	Kind      UserKind
	Status    UserStatus
	Email     string // "" for API users
	Login     string // unique across the deployment
	FirstName string
	LastName  string
	Phone     string
	JobTitle  string
	Language  string // "en", "de" or "fr": one of lang.Codes()
	// Company-contact flags.
	ContactBilling   bool
	ContactTechnical bool
	ContactBusiness  bool
	// Notification subscriptions.
	NotifyNews   bool
	NotifyAlerts bool
	// InitialOwner marks the first owner of a customer account, whom nobody
	// in the tenant can change (R2).
	InitialOwner bool
	// MustChangePassword forces a new password before anything else.
	MustChangePassword bool
	PasswordHash       string
	TOTPEnabled        bool
	// IdPID is the identity provider the user signs in with; "" for a
	// local password (U8).
	IdPID string
	// ExternalLogin is matched against the provider's login claim; ""
	// matches the user's e-mail.
	ExternalLogin string
	// IdPSubject is the provider's subject, bound at the first sign-in
	// through it; later sign-ins must carry the same.
	IdPSubject string
	// BreakGlass keeps a local password for the user where an ancestor
	// requires sign-in through an identity provider (B4).
	BreakGlass bool
	// TokenVersion is raised to end every access token issued to the user.
	TokenVersion int64
	// ExternalID is the id the org's directory gives the person (SCIM's
	// externalId), unique in the org; "" for none.
	ExternalID string
	// SCIMManaged marks a person the org's directory created or claimed
	// over SCIM (B7).
	SCIMManaged  bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastSignInAt time.Time
}

// FullName is the user's first and last name, or the name alone for an
// API user or service account, which has no last name.
func (u *User) FullName() string { return strings.TrimSpace(u.FirstName + " " + u.LastName) }

// Grant gives a user a role in an organization, optionally for one service
// and until an expiry.
type Grant struct {
	ID        string
	UserID    string
	OrgID     string
	Role      string
	Service   string    // "" for every service
	ExpiresAt time.Time // zero for no expiry
	CreatedAt time.Time
	CreatedBy string
}

// Active reports whether g is in force at now.
func (g Grant) Active(now time.Time) bool {
	return g.ExpiresAt.IsZero() || now.Before(g.ExpiresAt)
}

// TokenPurpose says what a one-time token may be redeemed for.
type TokenPurpose string

// The one-time token purposes.
const (
	TokenActivation TokenPurpose = "activation"
	TokenReset      TokenPurpose = "reset"
)

// OneTimeToken is an e-mailed secret, stored only as its hash.
type OneTimeToken struct {
	Hash      string
	Purpose   TokenPurpose
	UserID    string
	ExpiresAt time.Time
	UsedAt    time.Time
	CreatedAt time.Time
}

// Session is a signed-in browser or API client, stored by the hash of its
// cookie value.
type Session struct {
	ID         string // public id, safe to show
	Hash       string
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
	// PendingMFA marks a session whose password was right but whose
	// second factor is still to be given; it authorizes nothing else.
	PendingMFA bool
	// AuthAt is when the session last proved its user: the password, and
	// the second factor where enrolled. Set at creation unless PendingMFA.
	AuthAt time.Time
	// AMR lists how the session proved its user (RFC 8176): pwd, otp,
	// fed, and mfa where a trusted identity provider asserted it.
	AMR []string
}

// Event is one audit record: who did what to which target, and when.
type Event struct {
	ID         string
	OrgID      string // the org that owns the target
	ActorID    string
	ActorLogin string // the actor's login when read; "" once they are deleted
	Action     string // e.g. "user.create"
	TargetType string
	TargetID   string
	Details    map[string]any
	IP         string
	CreatedAt  time.Time
}

// Mail is one e-mail in the outbox. Key makes enqueueing idempotent: a
// second message with the same key is dropped.
type Mail struct {
	ID        string
	Key       string
	To        string
	Subject   string
	Text      string
	HTML      string
	CreatedAt time.Time
	DueAt     time.Time
	Attempts  int
	LastError string
	SentAt    time.Time
	FailedAt  time.Time
}

// TOTP is a user's time-based one-time password secret. LastStep is the
// newest time step accepted, so a code works once.
type TOTP struct {
	UserID    string
	Secret    string
	Confirmed bool
	LastStep  int64
	CreatedAt time.Time
}

// Throttle counts consecutive failures under one key; no attempt is
// evaluated before NextAt.
type Throttle struct {
	Key      string
	Failures int
	NextAt   time.Time
	LastAt   time.Time
}

// InvitationStatus is where an invitation stands.
type InvitationStatus string

// The invitation statuses.
const (
	InvitationPending   InvitationStatus = "pending"
	InvitationAccepted  InvitationStatus = "accepted"
	InvitationCancelled InvitationStatus = "cancelled"
)

// Invitation asks a person who already has a login elsewhere to take roles
// in an organization (U4). Users never move; they are linked by grants.
type Invitation struct {
	ID        string
	OrgID     string
	UserID    string
	Email     string
	Roles     []string
	TokenHash string
	Status    InvitationStatus
	ExpiresAt time.Time
	// AccessUntil, if set, ends the roles the invitation gives (B1).
	AccessUntil time.Time
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SIM is one SIM card, owned by one organization.
type SIM struct {
	ICCID      string
	OrgID      string
	Status     string
	TransferID string // the transfer that last moved it, "" if none
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// The SIM statuses.
const (
	SIMActive    = "active"
	SIMInactive  = "inactive"
	SIMSuspended = "suspended"
)

// SIMStatuses lists every SIM status.
var SIMStatuses = []string{SIMActive, SIMInactive, SIMSuspended}

// TransferRange is one range of a transfer with what it moved and how many
// SIMs in it belonged to someone else and stayed.
type TransferRange struct {
	Start    string
	End      string
	Moved    int64
	NotOwned int64
}

// Transfer is a committed move of SIMs between a parent and its child.
type Transfer struct {
	ID        string
	FromOrg   string
	ToOrg     string
	ActorID   string
	SIMCount  int64
	Ranges    []TransferRange
	CreatedAt time.Time
}

// SIMLoad is an operator's load of new SIMs into an account (P1).
type SIMLoad struct {
	ID        string
	OrgID     string
	ActorID   string
	Status    string
	SIMCount  int64
	CreatedAt time.Time
}

// IdempotentResponse is the answer to a request sent with an
// Idempotency-Key, kept so that a retry gets it again (B5).
type IdempotentResponse struct {
	ActorID     string
	Key         string
	Operation   string // "sims.transfer", "sims.import"
	RequestHash string // what was asked; the same key with another request is refused
	Response    string // JSON
	CreatedAt   time.Time
}

// Workflow is an open or closed piece of work the operator records for an
// organization: an invoice or a SIM action. Open ones block deletion (O4).
type Workflow struct {
	ID        string
	OrgID     string
	Kind      string // invoice, sim_action
	Title     string
	Status    string // open, closed
	CreatedBy string
	CreatedAt time.Time
	ClosedAt  time.Time
}

// Job is a long piece of background work an operator started (an
// inventory load), recorded so that how it ended, or that it was cut off
// by a shutdown or a crash, stays visible after a restart.
type Job struct {
	ID         string
	Kind       string // inventory_load
	OrgID      string // the org the job works on
	ActorID    string
	Status     string // running, done, failed
	Total      int64  // items given
	Done       int64  // items done, when done
	Error      string // why it failed
	Instance   string // the serving process running it
	StartedAt  time.Time
	BeatAt     time.Time // when its instance last said it still runs it
	FinishedAt time.Time
}

// Job statuses.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ServiceRequest asks the platform operator for something (P2).
type ServiceRequest struct {
	ID         string
	OrgID      string
	Kind       string // change_owner, other
	Text       string
	NewOwnerID string // for change_owner: the user who should become owner
	Status     string // open, resolved, rejected
	Resolution string
	CreatedBy  string
	ResolvedBy string
	CreatedAt  time.Time
	ResolvedAt time.Time
}

// Contact is a billing, technical or business contact of an organization:
// a person used for communication, never able to sign in (O7).
type Contact struct {
	ID        string
	OrgID     string
	Kind      string // billing, technical, business
	Name      string
	Email     string
	Phone     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ClientSecret is one secret of an API user or service account, stored
// as a keyed hash. A zero ExpiresAt never expires.
type ClientSecret struct {
	ID        string
	UserID    string
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SigningKey is a token signing key as stored: PKCS #8 and PKIX, base64.
type SigningKey struct {
	ID         string
	PrivateKey string
	PublicKey  string
	CreatedAt  time.Time
	RetireAt   time.Time
	ExpiresAt  time.Time
}

// PersonalToken is an Owner's token for the Management API, stored hashed.
type PersonalToken struct {
	ID        string
	UserID    string
	Name      string
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// NoticeKind is news or an alert (seed 002): people subscribe to each.
type NoticeKind string

// The notice kinds.
const (
	NoticeNews  NoticeKind = "news"
	NoticeAlert NoticeKind = "alert"
)

// NoticeText is a notice in one language.
type NoticeText struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Notice is a news item or an alert published to an org's subtree.
type Notice struct {
	ID    string
	OrgID string // the publisher's org
	// TargetOrgID is the org whose subtree it reaches; the platform's
	// reaches every customer.
	TargetOrgID string
	Kind        NoticeKind
	Texts       map[string]NoticeText // by language
	CreatedBy   string
	CreatedAt   time.Time
	Recipients  int // how many people it was e-mailed to
}

// IdentityProvider is an OpenID Connect provider an organization lets its
// people sign in with (U8): its own subtree uses it unless a sub-org adds
// providers of its own.
type IdentityProvider struct {
	ID    string
	OrgID string
	// Name is what the sign-in page and the user form show ("Acme Entra ID").
	Name string
	// Issuer is the provider's issuer URL; discovery reads its
	// /.well-known/openid-configuration.
	Issuer   string
	ClientID string
	// ClientSecret is sealed at rest; the API never returns it.
	ClientSecret string
	// Scopes are asked for besides openid.
	Scopes []string
	// LoginClaim names the ID token (or userinfo) claim matched against
	// the user's e-mail or custom login: email, preferred_username, upn …
	LoginClaim string
	// Domains, when any, are the only e-mail domains the claim may carry.
	Domains []string
	Active  bool
	// TrustMFA lets the provider's own multi-factor sign-in (amr) satisfy
	// the org's two-factor rule.
	TrustMFA  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RelyingParty is one of the portal's applications that signs people in
// through Tenantry (OpenID Connect): an application's API user, whose
// client id and secret it uses, with the redirect URIs it may use.
type RelyingParty struct {
	ClientID string
	UserID   string // the application's API user
	Name     string
	// Public clients (browser and native apps) have no secret and must
	// use PKCE with S256.
	Public       bool
	RedirectURIs []string
	LogoutURIs   []string
	CreatedAt    time.Time
}

// OIDCRequest is an authorization request of a relying party between its
// redirect to Tenantry and the code exchange. Request is the protocol's
// request as the OpenID Provider keeps it; the rest is what sign-in added.
type OIDCRequest struct {
	ID       string
	ClientID string
	Request  string
	UserID   string // "" until the person signed in
	OrgID    string // the org the person chose
	AMR      []string
	AuthTime time.Time
	CodeHash string
	// ExpiresAt ends an unfinished request (and its code).
	CreatedAt time.Time
	ExpiresAt time.Time
}

// OIDCRefresh is one refresh token of a relying party, by hash. Each use
// rotates it; a used one presented again ends its whole family.
type OIDCRefresh struct {
	Hash      string
	Family    string
	ClientID  string
	UserID    string
	OrgID     string
	Scopes    []string
	AMR       []string
	AuthTime  time.Time
	Used      bool
	CreatedAt time.Time
	ExpiresAt time.Time
}
