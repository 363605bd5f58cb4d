package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/notice"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// maxReviewItems bounds one review: an org (or subtree) holding more
// roles is reviewed one sub-organization at a time.
const maxReviewItems = 20000

// NewAccessReview is what an administrator gives to start a review.
type NewAccessReview struct {
	Title string // "" names it after the org and the day
	// Subtree takes in the roles held in every org below too.
	Subtree bool
	DueAt   time.Time
	// EndUnreviewed ends, at the due date, the roles nobody decided on.
	EndUnreviewed bool
}

// ReviewItem is a review's item as one reviewer sees it: whether they
// may decide on it, and why not.
type ReviewItem struct {
	*tenantry.AccessReviewItem
	MayDecide bool
	// WhyNot says, when MayDecide is false and the item is open, who
	// decides instead.
	WhyNot string
}

// ReviewView is a review with its org, its items and the org's time zone.
type ReviewView struct {
	*tenantry.AccessReview
	Org   *tenantry.Org
	Items []ReviewItem
	Zone  *time.Location
	// MayClose says whether the viewer may close it now.
	MayClose bool
}

// reviewOrg loads an org whose access the actor reviews: those who see
// its people and administer roles in it (Owner and Admin in the seed
// catalogues).
func (a *App) reviewOrg(ctx context.Context, tx tenantry.Tx, who *Actor, orgID string) (*tenantry.Org, error) {
	org, err := a.mgmtOrg(ctx, tx, who, orgID)
	if err != nil {
		return nil, err
	}
	if !a.reviewer(who.Principal(), org.ID) {
		return nil, forbidden("only those who administer this organization's people review its access")
	}
	return org, nil
}

// reviewer reports whether p reviews an org's access: it sees the org's
// people and administers roles there.
func (a *App) reviewer(p *policy.Principal, orgID string) bool {
	return a.policy.Allowed(p, policy.UsersSeeAll, policy.Target{Org: orgID}) &&
		a.policy.CanAdminister(p, policy.TargetUser{Org: orgID})
}

// accessReview loads a review the actor may see; NotFound for one of an
// org they may not review.
func (a *App) accessReview(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.AccessReview, *tenantry.Org, error) {
	if !validID(id) {
		return nil, nil, notFound("access review")
	}
	r, err := tx.AccessReview(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	org, err := a.reviewOrg(ctx, tx, who, r.OrgID)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil, nil, notFound("access review")
	}
	return r, org, err
}

// StartAccessReview lists every role in force in an org (and below it,
// with Subtree) for its administrators to confirm or revoke by the due
// date (B1). Those who may decide are e-mailed. One review of an org is
// open at a time.
func (a *App) StartAccessReview(ctx context.Context, who *Actor, orgID string, in NewAccessReview) (*ReviewView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var id string
	err := a.update(ctx, func(tx tenantry.Tx) error {
		org, err := a.reviewOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		loc, err := a.zoneOf(ctx, tx, org.ID)
		if err != nil {
			return err
		}
		var v tenantry.Validation
		in.Title = strings.TrimSpace(in.Title)
		if in.Title == "" {
			in.Title = "Access review of " + org.Name + ", " + tx.Now().In(loc).Format("2006-01-02")
		}
		if len(in.Title) > 200 {
			v.Add("title", "must have at most 200 characters")
		}
		switch {
		case in.DueAt.IsZero():
			v.Add("due_at", "give the date by which every role is decided")
		case !in.DueAt.After(tx.Now().Add(time.Hour)):
			v.Add("due_at", "must be at least an hour from now")
		case in.DueAt.After(tx.Now().AddDate(1, 0, 0)):
			v.Add("due_at", "must be within a year")
		}
		if err := v.Err(); err != nil {
			return err
		}
		open, err := tx.AccessReviews(ctx, org.ID)
		if err != nil {
			return err
		}
		for _, r := range open {
			if r.Status == tenantry.ReviewOpen {
				return tenantry.Errorf(tenantry.Conflict, "the access review %q of %s is open until %s: close it first",
					r.Title, org.Name, zoned(r.DueAt, loc))
			}
		}
		holdings, err := tx.Holdings(ctx, org.ID, in.Subtree, tx.Now(), maxReviewItems+1)
		if err != nil {
			return err
		}
		if len(holdings) > maxReviewItems {
			return tenantry.Errorf(tenantry.Invalid, "more than %d roles are held here: review the sub-organizations one at a time", maxReviewItems)
		}
		r := &tenantry.AccessReview{ID: newID(), OrgID: org.ID, Title: in.Title, Subtree: in.Subtree,
			EndUnreviewed: in.EndUnreviewed, DueAt: in.DueAt.UTC().Truncate(time.Microsecond), CreatedBy: who.User.ID}
		items := make([]*tenantry.AccessReviewItem, 0, len(holdings))
		for _, h := range holdings {
			items = append(items, &tenantry.AccessReviewItem{ID: newID(), GrantID: h.ID, OrgID: h.OrgID, OrgName: h.OrgName,
				UserID: h.UserID, Login: h.Login, Name: strings.TrimSpace(h.FirstName + " " + h.LastName), UserKind: h.UserKind,
				Role: h.Role, Service: h.Service, GrantedAt: h.CreatedAt, GrantedBy: h.GrantedBy, ExpiresAt: h.ExpiresAt})
		}
		if err := tx.CreateAccessReview(ctx, r, items); err != nil {
			return err
		}
		id = r.ID
		if err := event(ctx, tx, who, org.ID, "review.start", "review", r.ID, map[string]any{"title": r.Title,
			"roles": len(items), "subtree": r.Subtree, "due_at": r.DueAt, "end_unreviewed": r.EndUnreviewed}); err != nil {
			return err
		}
		reviewers, err := a.peopleWhoseRoles(ctx, tx, org, a.reviews(org))
		if err != nil {
			return err
		}
		d := notice.Data{Org: org.Name, Title: r.Title, When: zoned(r.DueAt, loc), Person: who.User.FirstName + " " + who.User.LastName,
			Link: a.cfg.PublicURL + "/reviews/" + r.ID}
		for _, u := range reviewers {
			if err := a.queue(ctx, tx, u.Email, u, notice.AccessReview, r.ID+":"+u.ID, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a.AccessReview(ctx, who, id)
}

// AccessReviews returns an org's reviews, newest first.
func (a *App) AccessReviews(ctx context.Context, who *Actor, orgID string) ([]*tenantry.AccessReview, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.AccessReview
	err := a.view(ctx, func(tx tenantry.Tx) error {
		org, err := a.reviewOrg(ctx, tx, who, orgID)
		if err != nil {
			return err
		}
		out, err = tx.AccessReviews(ctx, org.ID)
		return err
	})
	return out, err
}

// AccessReview returns a review with its items, each marked with whether
// the actor may decide on it.
func (a *App) AccessReview(ctx context.Context, who *Actor, id string) (*ReviewView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var view *ReviewView
	err := a.view(ctx, func(tx tenantry.Tx) error {
		r, org, err := a.accessReview(ctx, tx, who, id)
		if err != nil {
			return err
		}
		items, err := tx.AccessReviewItems(ctx, r.ID)
		if err != nil {
			return err
		}
		loc, err := a.zoneOf(ctx, tx, org.ID)
		if err != nil {
			return err
		}
		view = &ReviewView{AccessReview: r, Org: org, Zone: loc, MayClose: r.Status == tenantry.ReviewOpen,
			Items: make([]ReviewItem, 0, len(items))}
		for _, it := range items {
			ok, why := a.mayDecide(who, r, org, it)
			view.Items = append(view.Items, ReviewItem{AccessReviewItem: it, MayDecide: ok, WhyNot: why})
		}
		return nil
	})
	return view, err
}

// mayDecide says whether who may confirm or revoke it, and if not, why:
// nobody decides on their own access, and only those who may take a role
// decide on it (R2, B3).
func (a *App) mayDecide(who *Actor, r *tenantry.AccessReview, org *tenantry.Org, it *tenantry.AccessReviewItem) (bool, string) {
	switch {
	case r.Status != tenantry.ReviewOpen || it.Outcome != "" && it.Decision != tenantry.DecisionConfirm:
		return false, ""
	case it.UserID == who.User.ID:
		return false, "your own access: another administrator decides"
	}
	role, ok := a.policy.Role(it.Role)
	if !ok || !a.policy.CanAssign(who.Principal(), it.OrgID, role, false) {
		if ok && !a.endable(org, role) {
			return false, "nobody in the organization may take this role; the platform operator changes it"
		}
		return false, "your role does not administer this one"
	}
	return true, ""
}

// endable reports whether some role of an org's catalogue may take role:
// whether a review can end it at all.
func (a *App) endable(org *tenantry.Org, role policy.Role) bool {
	for _, r := range a.policy.Roles(catalogueFor(org)) {
		if a.policy.Administers(r, role) {
			return true
		}
	}
	return false
}

// DecideAccessReview records a reviewer's decision on one role of an open
// review: confirm keeps it, revoke ends it at once (a person's only role
// in their own org locks them instead, as everyone holds a role). A
// confirmed role may still be revoked while the review is open; a revoked
// one stays revoked.
func (a *App) DecideAccessReview(ctx context.Context, who *Actor, reviewID, itemID, decision, note string) (*ReviewItem, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out *ReviewItem
	err := a.update(ctx, func(tx tenantry.Tx) error {
		r, org, err := a.accessReview(ctx, tx, who, reviewID)
		if err != nil {
			return err
		}
		var v tenantry.Validation
		if decision != tenantry.DecisionConfirm && decision != tenantry.DecisionRevoke {
			v.Add("decision", "must be confirm or revoke")
		}
		note = strings.TrimSpace(note)
		if len(note) > 500 {
			v.Add("note", "must have at most 500 characters")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if r.Status != tenantry.ReviewOpen {
			return tenantry.Errorf(tenantry.Conflict, "the access review is closed: its decisions are final")
		}
		if !validID(itemID) {
			return notFound("access review item")
		}
		it, err := tx.AccessReviewItem(ctx, r.ID, itemID)
		if err != nil {
			return err
		}
		if it.Decision == tenantry.DecisionRevoke || it.Outcome == tenantry.OutcomeGone {
			return tenantry.Errorf(tenantry.Conflict, "this role is decided already: it has ended")
		}
		if ok, why := a.mayDecide(who, r, org, it); !ok {
			return forbidden("%s", why)
		}
		if decision == tenantry.DecisionRevoke && a.directoryOwns(ctx, tx, it) {
			return forbidden("%s is managed by your organization's directory over SCIM: take the role there", it.Name)
		}
		it.Decision, it.DecidedBy, it.DecidedByLogin, it.DecidedAt, it.Note = decision, who.User.ID, who.User.Login, tx.Now(), note
		it.Outcome = tenantry.OutcomeKept
		if decision == tenantry.DecisionRevoke {
			if it.Outcome, err = a.endReviewed(ctx, tx, who, r, it); err != nil {
				return err
			}
		} else if g, err := tx.Grant(ctx, it.GrantID); tenantry.ErrorCode(err) == tenantry.NotFound || err == nil && !g.Active(tx.Now()) {
			it.Outcome = tenantry.OutcomeGone
		} else if err != nil {
			return err
		}
		if err := tx.UpdateAccessReviewItem(ctx, it); err != nil {
			return err
		}
		if err := event(ctx, tx, who, r.OrgID, "review."+decision, "user", it.UserID, map[string]any{"review": r.ID,
			"role": GroupName(it.Role, it.Service), "org": it.OrgName, "outcome": it.Outcome, "note": it.Note}); err != nil {
			return err
		}
		ok, why := a.mayDecide(who, r, org, it)
		out = &ReviewItem{AccessReviewItem: it, MayDecide: ok, WhyNot: why}
		return nil
	})
	return out, err
}

// endReviewed ends the role of a review's item and says how: ended, the
// person locked (their only role in their own org), or gone (it had
// ended already). A linked person's last role here also unlinks them.
func (a *App) endReviewed(ctx context.Context, tx tenantry.Tx, who *Actor, r *tenantry.AccessReview, it *tenantry.AccessReviewItem) (string, error) {
	g, err := tx.Grant(ctx, it.GrantID)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return tenantry.OutcomeGone, nil
	}
	if err != nil {
		return "", err
	}
	if !g.Active(tx.Now()) {
		return tenantry.OutcomeGone, nil
	}
	u, err := tx.User(ctx, g.UserID)
	if err != nil {
		return "", err
	}
	held, err := tx.OrgGrants(ctx, g.OrgID, []string{u.ID})
	if err != nil {
		return "", err
	}
	if len(held) == 1 && u.OrgID == g.OrgID {
		return tenantry.OutcomeLocked, a.lock(ctx, tx, who, u)
	}
	if len(held) == 1 {
		if err := tx.Unlink(ctx, g.OrgID, u.ID); err != nil {
			return "", err
		}
	}
	if err := tx.DeleteGrant(ctx, g.ID); err != nil {
		return "", err
	}
	return tenantry.OutcomeEnded, event(ctx, tx, who, g.OrgID, "grant.delete", "user", u.ID,
		map[string]any{"role": g.Role, "review": r.ID})
}

// CloseAccessReview ends an open review before its due date; what nobody
// decided is ended or kept as the review says.
func (a *App) CloseAccessReview(ctx context.Context, who *Actor, id string) (*ReviewView, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	err := a.update(ctx, func(tx tenantry.Tx) error {
		r, _, err := a.accessReview(ctx, tx, who, id)
		if err != nil {
			return err
		}
		return a.closeReview(ctx, tx, who, r)
	})
	if err != nil {
		return nil, err
	}
	return a.AccessReview(ctx, who, id)
}

// CloseDueAccessReviews closes every open review past its due date, as
// Tenantry; the hourly sweep runs it. It returns how many it closed.
func (a *App) CloseDueAccessReviews(ctx context.Context) (int, error) {
	n := 0
	err := a.update(ctx, func(tx tenantry.Tx) error {
		due, err := tx.DueAccessReviews(ctx, tx.Now())
		if err != nil {
			return err
		}
		for _, r := range due {
			if err := a.closeReview(ctx, tx, nil, r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// RemindAccessReviews e-mails, a day before an open review is due, each
// reviewer who still has roles to decide there, once (the outbox keys it
// by review and person). The hourly sweep runs it; it returns how many
// reminders it queued or found queued.
func (a *App) RemindAccessReviews(ctx context.Context) (int, error) {
	n := 0
	err := a.update(ctx, func(tx tenantry.Tx) error {
		soon, err := tx.DueAccessReviews(ctx, tx.Now().Add(24*time.Hour))
		if err != nil {
			return err
		}
		for _, r := range soon {
			org, err := tx.Org(ctx, r.OrgID)
			if err != nil {
				return err
			}
			items, err := tx.AccessReviewItems(ctx, r.ID)
			if err != nil {
				return err
			}
			loc, err := a.zoneOf(ctx, tx, org.ID)
			if err != nil {
				return err
			}
			reviewers, err := a.peopleWhoseRoles(ctx, tx, org, a.reviews(org))
			if err != nil {
				return err
			}
			for _, u := range reviewers {
				who, err := a.loadActor(ctx, tx, u)
				if err != nil {
					return err
				}
				open := 0
				for _, it := range items {
					if ok, _ := a.mayDecide(who, r, org, it); ok && it.Decision == "" {
						open++
					}
				}
				if open == 0 {
					continue
				}
				d := notice.Data{Org: org.Name, Title: r.Title, When: zoned(r.DueAt, loc), Body: fmt.Sprint(open),
					Link: a.cfg.PublicURL + "/reviews/" + r.ID + "?show=mine"}
				if err := a.queue(ctx, tx, u.Email, u, notice.AccessReviewReminder, r.ID+":1d:"+u.ID, d); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// reviews picks the roles whose holders review an org's access: those
// that see its people and administer roles in it.
func (a *App) reviews(org *tenantry.Org) func(policy.Role) bool {
	return func(role policy.Role) bool {
		return a.reviewer(&policy.Principal{Grants: []policy.Grant{{Org: org.ID, Role: role}}}, org.ID)
	}
}

// closeReview closes r as who (nil: Tenantry at the due date): every
// undecided role is ended where the review says so and someone in the org
// could have ended it, else kept; confirmed roles stay.
func (a *App) closeReview(ctx context.Context, tx tenantry.Tx, who *Actor, r *tenantry.AccessReview) error {
	items, err := tx.AccessReviewItems(ctx, r.ID)
	if err != nil {
		return err
	}
	org, err := tx.Org(ctx, r.OrgID)
	if err != nil {
		return err
	}
	ended := 0
	for _, it := range items {
		if it.Decision != "" || it.Outcome == tenantry.OutcomeGone {
			continue
		}
		it.Outcome = tenantry.OutcomeKeptUnchecked
		role, ok := a.policy.Role(it.Role)
		if r.EndUnreviewed && ok && a.endable(org, role) && !a.directoryOwns(ctx, tx, it) {
			out, err := a.endReviewed(ctx, tx, who, r, it)
			if err != nil {
				return err
			}
			if it.Outcome = tenantry.OutcomeEndedUnchecked; out == tenantry.OutcomeGone {
				it.Outcome = tenantry.OutcomeGone
			} else {
				ended++
			}
		}
		if err := tx.UpdateAccessReviewItem(ctx, it); err != nil {
			return err
		}
	}
	r.ClosedAt = tx.Now()
	if who != nil {
		r.ClosedBy = who.User.ID
	}
	if err := tx.CloseAccessReview(ctx, r); err != nil {
		return err
	}
	return event(ctx, tx, who, r.OrgID, "review.close", "review", r.ID, map[string]any{"title": r.Title,
		"confirmed": r.Confirmed, "revoked": r.Revoked, "ended_unreviewed": ended, "at_due_date": who == nil})
}

// directoryOwns reports whether the person of an item is managed by their
// org's directory over SCIM, exclusively: then only the directory ends
// their roles.
func (a *App) directoryOwns(ctx context.Context, tx tenantry.Tx, it *tenantry.AccessReviewItem) bool {
	u, err := tx.User(ctx, it.UserID)
	if err != nil || !u.SCIMManaged || u.OrgID != it.OrgID {
		return false
	}
	c, err := tx.SCIMConnection(ctx, u.OrgID)
	return err == nil && c.Exclusive
}
