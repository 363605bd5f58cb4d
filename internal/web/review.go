package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// reviewsData is an org's access reviews page: its reviews and the form
// that starts one.
type reviewsData struct {
	Org     *tenantry.Org
	Reviews []*tenantry.AccessReview
	Zone    *time.Location
}

// reviewData is one review's page: what it lists, filtered, and what the
// viewer may decide.
type reviewData struct {
	*app.ReviewView
	// Show is "" for all, "open" for those still to decide, "mine" for
	// those the viewer may decide or has decided.
	Show  string
	Items []app.ReviewItem
	// Listed counts the roles the review lists; Open those nobody
	// decided yet.
	Listed, Open int
}

func (h *Handler) reviewsPage(r *http.Request, who *app.Actor, p *page) (*reviewsData, error) {
	ctx := r.Context()
	o, err := h.app.Org(ctx, who, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	d := &reviewsData{Org: o, Zone: h.zone(ctx, who, o.ID)}
	if d.Reviews, err = h.app.AccessReviews(ctx, who, o.ID); err != nil {
		return nil, err
	}
	if len(p.Form) == 0 {
		p.Form.Set("due_at", time.Now().In(d.Zone).AddDate(0, 0, 14).Format("2006-01-02T15:04"))
		p.Form.Set("end_unreviewed", "on")
	}
	p.Data = d
	return d, nil
}

func (h *Handler) reviews(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Access reviews", "orgs")
	if _, err := h.reviewsPage(r, who, p); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "reviews.html", p)
	return nil
}

// startReview starts a review and opens it.
func (h *Handler) startReview(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Access reviews", "orgs")
	if !ok {
		return nil
	}
	d, err := h.reviewsPage(r, who, p)
	if err != nil {
		return err
	}
	due, err := endOf("due_at", p.V("due_at"), d.Zone)
	if err == nil {
		var v *app.ReviewView
		v, err = h.app.StartAccessReview(r.Context(), who, d.Org.ID, app.NewAccessReview{Title: p.V("title"),
			Subtree: p.V("subtree") == "on", DueAt: due, EndUnreviewed: p.V("end_unreviewed") == "on"})
		if err == nil {
			redirect(w, r, withFlash("/reviews/"+url.PathEscape(v.ID), "review-started"))
			return nil
		}
	}
	h.fail(w, r, "reviews.html", p, err)
	return nil
}

func (h *Handler) reviewPage(r *http.Request, who *app.Actor, p *page, id string) error {
	v, err := h.app.AccessReview(r.Context(), who, id)
	if err != nil {
		return err
	}
	d := &reviewData{ReviewView: v, Show: r.URL.Query().Get("show"), Listed: len(v.Items)}
	for _, it := range v.Items {
		undecided := it.Decision == "" && it.Outcome == ""
		if undecided {
			d.Open++
		}
		if d.Show == "open" && !undecided || d.Show == "mine" && !it.MayDecide && it.DecidedBy != who.User.ID {
			continue
		}
		d.Items = append(d.Items, it)
	}
	p.Org, p.Data = v.OrgID, d
	return nil
}

func (h *Handler) review(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Access review", "orgs")
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	if err := h.reviewPage(r, who, p, r.PathValue("id")); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "review.html", p)
	return nil
}

// changeReview confirms or revokes one role, or closes the review, as the
// button pressed says.
func (h *Handler) changeReview(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Access review", "orgs")
	if !ok {
		return nil
	}
	ctx, id := r.Context(), r.PathValue("id")
	self := "/reviews/" + url.PathEscape(id)
	if show := p.V("show"); show != "" {
		self += "?show=" + url.QueryEscape(show)
	}
	var err error
	switch do := p.V("do"); do {
	case tenantry.DecisionConfirm, tenantry.DecisionRevoke:
		if _, err = h.app.DecideAccessReview(ctx, who, id, p.V("item"), do, p.V("note")); err == nil {
			redirect(w, r, withFlash(self, "review-"+do)+"#item-"+url.QueryEscape(p.V("item")))
			return nil
		}
	case "close":
		if _, err = h.app.CloseAccessReview(ctx, who, id); err == nil {
			redirect(w, r, withFlash(self, "review-closed"))
			return nil
		}
	default:
		return tenantry.Errorf(tenantry.NotFound, "page not found")
	}
	if loadErr := h.reviewPage(r, who, p, id); loadErr != nil {
		return loadErr
	}
	h.fail(w, r, "review.html", p, err)
	return nil
}

// outcomeText says what became of a reviewed role.
var outcomeText = map[string]string{
	tenantry.OutcomeKept:           "Confirmed",
	tenantry.OutcomeEnded:          "Revoked: the role ended",
	tenantry.OutcomeLocked:         "Revoked: it was their only role, so the person is locked",
	tenantry.OutcomeEndedUnchecked: "Ended: nobody decided by the due date",
	tenantry.OutcomeKeptUnchecked:  "Kept: nobody decided by the due date",
	tenantry.OutcomeGone:           "Had ended before it was decided",
}

// Outcome says in words what became of a reviewed role.
func (p *page) Outcome(code string) string {
	if s, ok := outcomeText[code]; ok {
		return p.T(s)
	}
	return code
}
