package tenantry

import "time"

// SCIMConnection is an organization's SCIM 2.0 provisioning (B7): its
// directory (Microsoft Entra ID, Okta, …) creates, changes and removes the
// org's people and their roles with a bearer token, acting as a service
// account of the org that holds one role.
type SCIMConnection struct {
	OrgID string
	// UserID is the service account the directory acts as; its role
	// bounds what the directory may do, like any other principal's.
	UserID    string
	TokenHash string
	// TokenHint is the token's last characters, to tell tokens apart.
	TokenHint string
	// DefaultRole is given to every person the directory creates: a
	// person always holds a role, and groups add the others.
	DefaultRole string
	// IdP is the identity provider the people the directory creates sign
	// in with; "" for a password of their own.
	IdP string
	// OnDelete says what the directory's DELETE does to a person.
	OnDelete SCIMDelete
	// Exclusive keeps administrators' hands off the people the directory
	// manages: their profile, status and roles change only over SCIM.
	Exclusive  bool
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// SCIMDelete is what a directory's DELETE of a person does.
type SCIMDelete string

// The choices of SCIMDelete.
const (
	SCIMDeactivate SCIMDelete = "deactivate" // lock the person, keep the account
	SCIMDeleteUser SCIMDelete = "delete"     // delete the account
)

// UserMatch is a condition on an org's people, the store's form of a SCIM
// filter: a comparison of one attribute, or And, Or, Not of others.
type UserMatch struct {
	Op    MatchOp
	Attr  UserAttr // for comparisons
	Cmp   string   // eq ne co sw ew gt ge lt le pr
	Value any      // string, bool or time.Time
	Sub   []UserMatch
}

// MatchOp is the kind of a UserMatch.
type MatchOp int

// The kinds of UserMatch.
const (
	MatchCompare MatchOp = iota
	MatchAnd
	MatchOr
	MatchNot
)

// UserAttr is an attribute of a person a UserMatch compares.
type UserAttr string

// The attributes a UserMatch compares.
const (
	AttrID           UserAttr = "id"
	AttrLogin        UserAttr = "login"
	AttrEmail        UserAttr = "email"
	AttrExternalID   UserAttr = "external_id"
	AttrFirstName    UserAttr = "first_name"
	AttrLastName     UserAttr = "last_name"
	AttrJobTitle     UserAttr = "job_title"
	AttrActive       UserAttr = "active"
	AttrCreated      UserAttr = "created_at"
	AttrLastModified UserAttr = "updated_at"
)

// UserQuery selects an org's own people (never machines, never people
// linked from other orgs) by an optional match, by offset: SCIM pages by
// startIndex and count.
type UserQuery struct {
	OrgID  string
	Match  *UserMatch
	Offset int
	Limit  int
}
