package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

type orgsData struct {
	Org    *tenantry.Org
	Parent *tenantry.Org
	// Tree is the subtree below Org as far as the viewer sees it.
	Tree        []*treeNode
	Truncated   bool   // the tree has more than the page shows
	ChildrenErr string // why the children are not shown
	// Security is what is in force here and where it comes from (B4).
	Security     app.Security
	CanAdd       bool // may create sub-organizations here
	CanSettings  bool // may switch "require 2FA"
	CanProfile   bool // may switch the self-managed profile (the parent's right)
	CanTransfer  bool
	Contacts     []*tenantry.Contact // company contacts (O7), where the profile is self-managed
	ContactKinds []string
	ShowContacts bool
	// EditContacts: the viewer may add and delete them, not only read.
	EditContacts bool
	// IdPs are the identity providers the org's people may use (U8).
	IdPs []app.IdPView
	// SCIM is the org's provisioning connection, nil while off; MaySCIM
	// says whether the viewer may set it up.
	SCIM    *app.SCIMView
	MaySCIM bool
	// Webhooks are the org's webhook endpoints; MayWebhooks says whether
	// the viewer manages them.
	Webhooks    []*tenantry.WebhookEndpoint
	MayWebhooks bool
	// Reviews are the org's access reviews, newest first; MayReview says
	// whether the viewer reviews its access (B1).
	Reviews   []*tenantry.AccessReview
	MayReview bool
}

// treeNode is an organization on the Organisation tab's tree.
type treeNode struct {
	Org   *tenantry.Org
	Kids  []*treeNode
	Depth int
	// SeeUsers: the viewer may list its users; a role above gives none
	// there (O3), so others get no Users link.
	SeeUsers bool
	P        *page
	D        *orgsData
}

// buildTree nests a subtree listed nearest first under its root.
func buildTree(p *page, d *orgsData, root string, t app.OrgTree, seeUsers func(string) bool) []*treeNode {
	byID := map[string]*treeNode{}
	var top []*treeNode
	for i, o := range t.Orgs {
		n := &treeNode{Org: o, Depth: t.Depths[i], SeeUsers: seeUsers(o.ID), P: p, D: d}
		byID[o.ID] = n
		if parent, ok := byID[o.ParentID]; ok && o.ParentID != root {
			parent.Kids = append(parent.Kids, n)
		} else {
			top = append(top, n)
		}
	}
	return top
}

// orgs is the organisation tab: the organization, its settings and its
// sub-organizations with their SIM totals.
func (h *Handler) orgs(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Organisation", "orgs")
	ctx := r.Context()
	o, err := h.app.Org(ctx, who, orgParam(r, who))
	if err != nil {
		return err
	}
	d := &orgsData{Org: o,
		CanSettings: h.app.Can(who, policy.AccountCustomerData, o.ID),
		CanAdd:      h.app.MayManageChildren(ctx, who, o) == nil,
		CanTransfer: h.app.Can(who, policy.OrganisationSIMTransfer, o.ID)}
	if o.ParentID != "" {
		if parent, err := h.app.Org(ctx, who, o.ParentID); err == nil {
			d.Parent = parent
			d.CanProfile = h.app.MayManageChildren(ctx, who, parent) == nil
		}
	}
	if sec, err := h.app.Security(ctx, who, o.ID); err == nil {
		d.Security = sec
	} else {
		return err
	}
	if d.CanSettings {
		if d.IdPs, err = h.app.IdPs(ctx, who, o.ID); err != nil {
			return err
		}
		d.SCIM, err = h.app.SCIM(ctx, who, o.ID)
		switch code := tenantry.ErrorCode(err); {
		case err == nil:
			d.MaySCIM = true
		case code == tenantry.NotFound:
			d.MaySCIM = true
		case code != tenantry.Forbidden && code != tenantry.Invalid:
			return err
		}
		d.Webhooks, err = h.app.Webhooks(ctx, who, o.ID)
		switch code := tenantry.ErrorCode(err); {
		case err == nil:
			d.MayWebhooks = true
		case code != tenantry.Forbidden:
			return err
		}
		d.Reviews, err = h.app.AccessReviews(ctx, who, o.ID)
		switch code := tenantry.ErrorCode(err); {
		case err == nil:
			d.MayReview = true
		case code != tenantry.Forbidden:
			return err
		}
	}
	if tree, err := h.app.OrgTree(ctx, who, o.ID, 0); err == nil {
		d.Tree = buildTree(p, d, o.ID, tree, func(id string) bool { return h.app.Can(who, policy.UsersSeeAll, id) })
		d.Truncated = tree.Truncated
	} else {
		var e *tenantry.Error
		if !errors.As(err, &e) || e.Code.Kind() == tenantry.Internal {
			return err
		}
		d.ChildrenErr = p.message(e)
	}
	if o.Settings.SelfManagedProfile {
		if list, err := h.app.Contacts(ctx, who, o.ID); err == nil {
			d.Contacts, d.ShowContacts, d.ContactKinds = list, true, app.ContactKinds
			d.EditContacts = h.app.Can(who, policy.AccountCustomerData, o.ID)
		}
	}
	p.Org, p.Data = o.ID, d
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "orgs.html", p)
	return nil
}

// addContact adds a billing, technical or business contact: a person the
// provider writes to, who never signs in (O7).
func (h *Handler) addContact(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Organisation", "orgs")
	if !ok {
		return nil
	}
	org := r.PathValue("id")
	if _, err := h.app.CreateContact(r.Context(), who, org, app.ContactInput{Kind: p.V("kind"), Name: p.V("name"),
		Email: p.V("email"), Phone: p.V("phone")}); err != nil {
		return err
	}
	redirect(w, r, withFlash("/orgs?org="+url.QueryEscape(org)+"#contacts", "contact"))
	return nil
}

func (h *Handler) deleteContact(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	if err := h.app.DeleteContact(r.Context(), who, r.PathValue("id")); err != nil {
		return err
	}
	redirect(w, r, withFlash("/orgs?org="+url.QueryEscape(r.FormValue("org"))+"#contacts", "contact"))
	return nil
}

// orgSettings saves the checkboxes of the settings form.
func (h *Handler) orgSettings(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Organisation", "orgs")
	if !ok {
		return nil
	}
	org := p.V("org")
	var patch app.OrgSettingsPatch
	if p.V("has_2fa") != "" {
		on := p.V("require_2fa") == "on"
		patch.Require2FA = &on
	}
	if p.V("has_security") != "" {
		patch.SessionHours, patch.PasswordMinLength = number(p.V("session_hours")), number(p.V("password_min_length"))
		tz := p.V("time_zone")
		patch.TimeZone = &tz
	}
	if p.V("has_idp") != "" {
		on := p.V("require_idp") == "on"
		patch.RequireIdP = &on
	}
	if p.V("has_profile") != "" {
		on := p.V("self_managed_profile") == "on"
		patch.SelfManagedProfile = &on
	}
	if _, err := h.app.UpdateOrgSettings(r.Context(), who, org, patch); err != nil {
		return err
	}
	redirect(w, r, withFlash("/orgs?org="+url.QueryEscape(org), "settings"))
	return nil
}

// number reads a whole number from a form field, 0 for an empty one and
// -1 for one that is not a number, which the use case refuses by name.
func number(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case strings.TrimSpace(s) == "":
		n = 0
	case err != nil:
		n = -1
	}
	return &n
}

// wizardSteps are the New organisation wizard's steps.
var wizardSteps = []string{"Details", "Owner", "Summary"}

type wizardData struct {
	Parent *tenantry.Org
	Step   int // 0-based
	Steps  []string
	Types  []string
	// TypeRequired: the catalogue declares tenant types, and Types are
	// the only ones a child of Parent may have.
	TypeRequired bool
}

func (h *Handler) wizardPage(r *http.Request, who *app.Actor, p *page, step int) (*wizardData, error) {
	parent, err := h.app.Org(r.Context(), who, orgParam(r, who))
	if err != nil {
		return nil, err
	}
	if err := h.app.MayManageChildren(r.Context(), who, parent); err != nil {
		return nil, err
	}
	p.Org = parent.ID
	types, required := h.app.ChildTypes(parent)
	return &wizardData{Parent: parent, Step: step, Steps: wizardSteps, Types: types, TypeRequired: required}, nil
}

func (h *Handler) wizardStart(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "New organisation", "orgs")
	d, err := h.wizardPage(r, who, p, 0)
	if err != nil {
		return err
	}
	p.Form.Set("language", p.Lang)
	p.Data = d
	h.render(w, r, http.StatusOK, "org_wizard.html", p)
	return nil
}

// wizard moves between the steps, carrying what was entered in hidden
// fields, and on the last step creates the organization and its owner in
// one use case. An error sends the person back to the step of its field.
func (h *Handler) wizard(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "New organisation", "orgs")
	if !ok {
		return nil
	}
	step := 0
	switch p.V("step") {
	case "1":
		step = 1
	case "2":
		step = 2
	}
	if p.V("back") != "" && step > 0 {
		step--
	} else if p.V("submit") == "" && step < 2 {
		if step == 0 && strings.TrimSpace(p.V("name")) == "" {
			p.Fields["name"] = p.T("Enter a name.")
		} else if step == 1 && (strings.TrimSpace(p.V("owner.email")) == "" || strings.TrimSpace(p.V("owner.first_name")) == "" || strings.TrimSpace(p.V("owner.last_name")) == "") {
			p.Error = p.T("Enter the owner's e-mail address, first and last name.")
		} else {
			step++
		}
	}
	d, err := h.wizardPage(r, who, p, step)
	if err != nil {
		return err
	}
	p.Data = d
	if p.V("submit") == "" {
		status := http.StatusOK
		if len(p.Fields) > 0 || p.Error != "" {
			status = http.StatusUnprocessableEntity
		}
		h.render(w, r, status, "org_wizard.html", p)
		return nil
	}
	_, _, err = h.app.CreateSubOrg(r.Context(), who, d.Parent.ID, app.NewSubOrg{Name: p.V("name"), Type: p.V("type"),
		SelfManagedProfile: p.V("self_managed_profile") == "on",
		Owner: app.NewUser{Email: p.V("owner.email"), Login: p.V("owner.login"), FirstName: p.V("owner.first_name"),
			LastName: p.V("owner.last_name"), Language: p.V("owner.language")}})
	if err != nil {
		status := h.explain(r, p, err)
		d.Step = 2
		for f := range p.Fields {
			if strings.HasPrefix(f, "owner.") {
				d.Step = 1
			} else {
				d.Step = 0
				break
			}
		}
		h.render(w, r, status, "org_wizard.html", p)
		return nil
	}
	redirect(w, r, withFlash("/orgs?org="+url.QueryEscape(d.Parent.ID), "org-created"))
	return nil
}

type deleteOrgData struct {
	Org     *tenantry.Org
	Reasons []string
}

func (h *Handler) deleteOrgForm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	o, err := h.app.Org(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.newPage(r, "Delete organisation", "orgs")
	p.Org, p.Data = o.ParentID, &deleteOrgData{Org: o}
	h.render(w, r, http.StatusOK, "org_delete.html", p)
	return nil
}

// deleteOrg deletes a sub-organization, or shows in words every reason
// it cannot be deleted yet.
func (h *Handler) deleteOrg(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	ctx := r.Context()
	o, err := h.app.Org(ctx, who, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := h.newPage(r, "Delete organisation", "orgs")
	d := &deleteOrgData{Org: o}
	p.Org, p.Data = o.ParentID, d
	if err := h.app.DeleteSubOrg(ctx, who, o.ID); err != nil {
		status := h.explain(r, p, err)
		var e *tenantry.Error
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				d.Reasons = append(d.Reasons, p.Say(f))
			}
		}
		if len(d.Reasons) > 0 {
			p.Error = p.T("This organization cannot be deleted yet:")
		}
		h.render(w, r, status, "org_delete.html", p)
		return nil
	}
	redirect(w, r, withFlash("/orgs?org="+url.QueryEscape(o.ParentID), "org-deleted"))
	return nil
}

type transferData struct {
	Org, Parent *tenantry.Org
	From, To    *tenantry.Org
	Preview     *app.TransferResult
	Ranges      string // the previewed ranges, to confirm
	Done        *app.TransferResult
}

// transferForm is the SIM transfer dialog between a sub-organization and
// its parent: one SIM, a range, or a .csv/.txt file.
func (h *Handler) transferForm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Transfer SIMs", "orgs")
	direction := r.URL.Query().Get("direction")
	d, err := h.transferData(r, who, direction)
	if err != nil {
		return err
	}
	// Only a transfer the viewer may make is offered: the one asked for,
	// else the other way, else a page that says why (issue 17, item 4).
	if err := h.app.MayTransfer(who, d.From, d.To); err != nil {
		if h.app.MayTransfer(who, d.To, d.From) != nil {
			return err
		}
		d.From, d.To = d.To, d.From
		direction = "up"
		if d.From.ID == d.Parent.ID {
			direction = "down"
		}
	}
	p.Form = url.Values{"mode": {"one"}, "direction": {"down"}}
	if direction == "up" {
		p.Form.Set("direction", "up")
	}
	p.Org, p.Data = d.Parent.ID, d
	h.render(w, r, http.StatusOK, "transfer.html", p)
	return nil
}

func (h *Handler) transferData(r *http.Request, who *app.Actor, direction string) (*transferData, error) {
	ctx := r.Context()
	o, err := h.app.Org(ctx, who, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if o.ParentID == "" {
		return nil, tenantry.Errorf(tenantry.TransferNotAllowed, "SIMs move between a sub-organization and its parent; open the transfer from the sub-organization")
	}
	parent, err := h.app.Org(ctx, who, o.ParentID)
	if err != nil {
		return nil, err
	}
	d := &transferData{Org: o, Parent: parent, From: parent, To: o}
	if direction == "up" {
		d.From, d.To = o, parent
	}
	return d, nil
}

// maxTransferFile bounds an uploaded transfer file.
const maxTransferFile = 20 << 20

// transfer previews (a dry run) or, once confirmed, moves the SIMs. A file
// with a bad line shows every bad line and moves nothing.
func (h *Handler) transfer(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Transfer SIMs", "orgs")
	r.Body = http.MaxBytesReader(w, r.Body, maxTransferFile+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		p.Error = p.T("The form could not be read.")
		h.render(w, r, http.StatusBadRequest, "error.html", p)
		return nil
	}
	if r.PostForm == nil {
		if err := r.ParseForm(); err != nil {
			return tenantry.Errorf(tenantry.Invalid, "the form could not be read")
		}
	}
	p.Form = r.PostForm
	d, err := h.transferData(r, who, p.V("direction"))
	if err != nil {
		return err
	}
	p.Org, p.Data = d.Parent.ID, d
	ranges, lines, err := readRanges(r, p)
	if err == nil {
		var res *app.TransferResult
		confirm := p.V("confirm") != ""
		res, err = h.app.Transfer(r.Context(), who, app.TransferRequest{From: d.From.ID, To: d.To.ID,
			Ranges: ranges, Lines: lines, DryRun: !confirm})
		if err == nil {
			if confirm {
				d.Done = res
				p.Flash = h.flash(p, "transferred")
				// The page says what each side holds now, not before.
				for _, o := range []**tenantry.Org{&d.From, &d.To} {
					if fresh, err := h.app.Org(r.Context(), who, (*o).ID); err == nil {
						*o = fresh
					}
				}
			} else {
				d.Preview, d.Ranges = res, sims.Format(ranges)
			}
			h.render(w, r, http.StatusOK, "transfer.html", p)
			return nil
		}
	}
	h.fail(w, r, "transfer.html", p, err)
	return nil
}

// readRanges reads the ranges a transfer form names: one SIM, one range,
// an uploaded file, or the previewed ranges being confirmed.
func readRanges(r *http.Request, p *page) ([]sims.Range, []int, error) {
	if p.V("confirm") != "" {
		return app.ReadTransferFile(strings.NewReader(p.V("ranges")))
	}
	switch p.V("mode") {
	case "range":
		return []sims.Range{{Start: strings.TrimSpace(p.V("first")), End: strings.TrimSpace(p.V("last"))}}, nil, nil
	case "file":
		f, hdr, err := r.FormFile("file")
		if err != nil {
			return nil, nil, &tenantry.Error{Code: tenantry.Invalid, Message: "choose a .csv or .txt file",
				Fields: []tenantry.FieldError{{Field: "file", Message: "choose a .csv or .txt file"}}}
		}
		defer f.Close()
		if name := strings.ToLower(hdr.Filename); !strings.HasSuffix(name, ".csv") && !strings.HasSuffix(name, ".txt") {
			return nil, nil, &tenantry.Error{Code: tenantry.Invalid, Message: "the file must be a .csv or .txt file",
				Fields: []tenantry.FieldError{{Field: "file", Message: "must be a .csv or .txt file"}}}
		}
		return app.ReadTransferFile(f)
	default:
		iccid := strings.TrimSpace(p.V("iccid"))
		return []sims.Range{{Start: iccid, End: iccid}}, nil, nil
	}
}
