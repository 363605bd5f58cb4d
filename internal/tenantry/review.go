package tenantry

import "time"

// The states of an access review.
const (
	ReviewOpen   = "open"
	ReviewClosed = "closed"
)

// The decisions a reviewer takes on a role.
const (
	DecisionConfirm = "confirm"
	DecisionRevoke  = "revoke"
)

// The outcomes of a reviewed role, the evidence an auditor reads.
const (
	OutcomeKept           = "kept"             // a reviewer confirmed it
	OutcomeEnded          = "ended"            // a reviewer revoked it: the role ended
	OutcomeLocked         = "locked"           // revoked; it was the person's only role, so they are locked
	OutcomeEndedUnchecked = "ended_unreviewed" // nobody decided by the due date, and the review ends such roles
	OutcomeKeptUnchecked  = "kept_unreviewed"  // nobody decided, and the review keeps such roles (or none in the org may end it)
	OutcomeGone           = "gone"             // the role had ended otherwise before it was decided
)

// AccessReview asks an organization's administrators to confirm or revoke
// every role held in it, and optionally in the orgs below it, by a due
// date (B1). Its items are what was held when it started; the decisions
// and outcomes on them are the evidence an auditor asks for.
type AccessReview struct {
	ID    string
	OrgID string
	Title string
	// Subtree takes in the roles held in every org below OrgID too.
	Subtree bool
	// EndUnreviewed ends, when the review closes, the roles nobody
	// decided on; otherwise they are kept.
	EndUnreviewed bool
	DueAt         time.Time
	Status        string // ReviewOpen or ReviewClosed
	CreatedBy     string
	CreatedAt     time.Time
	ClosedAt      time.Time
	// ClosedBy is who closed it; "" when it closed itself at its due date.
	ClosedBy string
	// Items, Confirmed and Revoked count its roles, read with it.
	Items, Confirmed, Revoked int
}

// AccessReviewItem is one role held when a review started. The holder's
// and the org's names are copied, so the evidence stays readable after
// either is gone.
type AccessReviewItem struct {
	ID        string
	ReviewID  string
	GrantID   string
	OrgID     string
	OrgName   string
	UserID    string
	Login     string
	Name      string
	UserKind  UserKind
	Role      string
	Service   string
	GrantedAt time.Time
	// GrantedBy is the login of who gave the role, "" when unknown.
	GrantedBy string
	ExpiresAt time.Time
	// Decision is "", DecisionConfirm or DecisionRevoke.
	Decision       string
	DecidedBy      string
	DecidedByLogin string
	DecidedAt      time.Time
	Note           string
	// Outcome is one of the Outcome values once decided or closed.
	Outcome string
}

// Holding is a role in force with the names a review copies: its holder's
// and its org's.
type Holding struct {
	Grant
	Login     string
	FirstName string
	LastName  string
	UserKind  UserKind
	OrgName   string
	// GrantedBy is the login of who gave it, "" when unknown.
	GrantedBy string
}
