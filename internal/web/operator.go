package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

type operatorData struct {
	Accounts  []*tenantry.Org
	Next      template.URL
	Statuses  []string
	Kinds     []string
	WfOrg     *tenantry.Org
	Workflows []*tenantry.Workflow
	// WfOrgs are the chosen account's organizations, itself first: whose
	// workflows are listed, and for which one may be recorded.
	WfOrgs   []*tenantry.Org
	Requests []app.ServiceRequestView
	OrgNames map[string]string // the requests' and loads' organizations by id
	Loads    []*tenantry.Job   // the newest inventory loads
	// Catalogues are the role catalogues an account can be opened with.
	Catalogues  []app.CatalogueInfo
	HasServices map[string]bool // catalogues with services
	// Apps are the portal's applications registered with the OpenID
	// Provider; Issuer is where they discover it.
	Apps   []*tenantry.RelyingParty
	Issuer string
	// NewApp is a just-registered application and its secret, shown once.
	NewApp    *tenantry.RelyingParty
	NewSecret string
}

// operator is the platform operator's console: customer accounts, SIM
// inventory loads, workflows and every open service request.
func (h *Handler) operator(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Operator console", "operator")
	p.Form = r.URL.Query()
	d, err := h.operatorData(r, who)
	if err != nil {
		return err
	}
	p.Data = d
	p.Flash = h.flash(p, r.URL.Query().Get("done"))
	h.render(w, r, http.StatusOK, "operator.html", p)
	return nil
}

func (h *Handler) operatorData(r *http.Request, who *app.Actor) (*operatorData, error) {
	ctx := r.Context()
	const limit = 100
	accounts, err := h.app.Accounts(ctx, who, r.URL.Query().Get("after"), limit)
	if err != nil {
		return nil, err
	}
	d := &operatorData{Accounts: accounts, Statuses: tenantry.SIMStatuses, Kinds: app.WorkflowKinds}
	if d.Catalogues, err = h.app.Catalogues(ctx, who); err != nil {
		return nil, err
	}
	d.HasServices = map[string]bool{}
	for _, c := range d.Catalogues {
		d.HasServices[c.Name] = len(c.Services) > 0
	}
	if len(accounts) == limit {
		d.Next = link("/operator", url.Values{"after": {accounts[len(accounts)-1].ID}})
	}
	if id := r.URL.Query().Get("wf_org"); id != "" {
		if d.Workflows, d.WfOrgs, err = h.app.AccountWorkflows(ctx, who, id); err != nil {
			return nil, err
		}
		d.WfOrg = d.WfOrgs[0]
	}
	if d.Apps, err = h.app.RelyingParties(ctx, who); err != nil {
		return nil, err
	}
	d.Issuer = h.app.PublicURL()
	if d.Requests, err = h.app.ServiceRequests(ctx, who, "", "open"); err != nil {
		return nil, err
	}
	if d.Loads, err = h.app.Jobs(ctx, who, 10); err != nil {
		return nil, err
	}
	d.OrgNames = map[string]string{}
	name := func(id string) {
		if _, seen := d.OrgNames[id]; !seen {
			if o, err := h.app.Org(ctx, who, id); err == nil {
				d.OrgNames[id] = o.Name
			} else {
				d.OrgNames[id] = ""
			}
		}
	}
	for _, req := range d.Requests {
		name(req.OrgID)
	}
	for _, j := range d.Loads {
		name(j.OrgID)
	}
	return d, nil
}

// operatorFail shows the console again with err next to its fields.
func (h *Handler) operatorFail(w http.ResponseWriter, r *http.Request, who *app.Actor, p *page, err error) error {
	d, derr := h.operatorData(r, who)
	if derr != nil {
		return derr
	}
	p.Data = d
	h.fail(w, r, "operator.html", p, err)
	return nil
}

func (h *Handler) createAccount(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Operator console", "operator")
	if !ok {
		return nil
	}
	_, _, err := h.app.CreateAccount(r.Context(), who, app.NewAccount{Name: p.V("name"), Channel: tenantry.Channel(p.V("channel")),
		Catalogue: p.V("catalogue"),
		Owner: app.NewUser{Email: p.V("owner.email"), FirstName: p.V("owner.first_name"), LastName: p.V("owner.last_name"),
			Language: p.V("owner.language")}})
	if err != nil {
		return h.operatorFail(w, r, who, p, err)
	}
	redirect(w, r, withFlash("/operator", "account"))
	return nil
}

// importJob is one inventory load running in the background. changed is
// closed, and replaced, whenever the job moves on, so that a progress page
// can wait for news instead of polling.
type importJob struct {
	id, owner string
	account   string
	done      int
	total     int
	loaded    int
	err       error
	finished  time.Time
	changed   chan struct{}
}

// update changes a job under the lock and wakes whoever waits for it.
func (j *imports) update(job *importJob, fn func()) {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn()
	close(job.changed)
	job.changed = make(chan struct{})
}

// importView is a snapshot of a job for the page.
type importView struct {
	ID, Account              string
	Done, Total, Loaded, Pct int
	Running                  bool
	Failed                   string // why the load was refused
	Elsewhere                bool   // running in another serving process
}

// startImport reads the uploaded ICCIDs and loads them in the background,
// all or nothing, while the page shows the progress.
func (h *Handler) startImport(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Operator console", "operator")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return tenantry.Errorf(tenantry.Invalid, "the upload could not be read: %v", err)
	}
	p.Form = r.PostForm
	f, _, err := r.FormFile("file")
	if err != nil {
		return h.operatorFail(w, r, who, p, &tenantry.Error{Code: tenantry.Invalid, Message: "choose a file of ICCIDs",
			Fields: []tenantry.FieldError{{Field: "file", Message: "choose a file with one ICCID per line"}}})
	}
	iccids, err := sims.ReadICCIDs(f)
	f.Close()
	if err != nil {
		return h.operatorFail(w, r, who, p, tenantry.Errorf(tenantry.Invalid, "the file could not be read: %v", err))
	}
	job := &importJob{owner: who.User.ID, account: p.V("account"), total: len(iccids), changed: make(chan struct{})}
	// A shutdown waits for the load (serve's --shutdown-grace); one cut
	// off after that loads nothing, being one transaction, and its job
	// record says so.
	rec, err := h.app.StartImport(r.Context(), who, job.account, p.V("status"), iccids,
		func(done, total int) { h.jobs.update(job, func() { job.done, job.total = done, total }) },
		func(n int, err error) {
			h.jobs.update(job, func() { job.loaded, job.err, job.finished = n, err, time.Now() })
		})
	if err != nil {
		return h.operatorFail(w, r, who, p, err)
	}
	job.id = rec.ID
	h.jobs.add(job)
	redirect(w, r, "/operator/import/"+job.id)
	return nil
}

// longPoll bounds how long a progress request waits for news.
const longPoll = 10 * time.Second

// importProgress shows a load's progress. With ?after=N it first waits
// (up to longPoll) until more than N ICCIDs are done or the load ends;
// htmx asks again at once while it runs, so the bar moves as the load does.
func (h *Handler) importProgress(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "SIM inventory load", "operator")
	h.jobs.mu.Lock()
	job, ok := h.jobs.byID[r.PathValue("id")]
	if !ok || job.owner != who.User.ID {
		h.jobs.mu.Unlock()
		return h.recordedImport(w, r, who, p)
	}
	if after, err := strconv.Atoi(r.URL.Query().Get("after")); err == nil {
		wait, cancel := context.WithTimeout(r.Context(), longPoll)
		defer cancel()
		for job.done <= after && job.finished.IsZero() && wait.Err() == nil {
			changed := job.changed
			h.jobs.mu.Unlock()
			select {
			case <-changed:
			case <-wait.Done():
			}
			h.jobs.mu.Lock()
		}
	}
	v := importView{ID: job.id, Account: job.account, Done: job.done, Total: job.total, Loaded: job.loaded,
		Running: job.finished.IsZero()}
	err := job.err
	h.jobs.mu.Unlock()
	if v.Total > 0 {
		v.Pct = v.Done * 100 / v.Total
	}
	p.Data = &v
	status := http.StatusOK
	if err != nil {
		status = h.explain(r, p, err)
		v.Failed, p.Error = p.Error, ""
	}
	h.render(w, r, status, "import.html", p)
	return nil
}

// recordedImport shows a load this process is not running from its job
// record: one started before a restart, or on another instance.
func (h *Handler) recordedImport(w http.ResponseWriter, r *http.Request, who *app.Actor, p *page) error {
	job, err := h.app.Job(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := importView{ID: job.ID, Account: job.OrgID, Total: int(job.Total), Loaded: int(job.Done), Failed: p.T(job.Error)}
	switch job.Status {
	case tenantry.JobDone:
		v.Done, v.Pct = v.Total, 100
	case tenantry.JobRunning:
		v.Elsewhere = true
	}
	p.Data = &v
	h.render(w, r, http.StatusOK, "import.html", p)
	return nil
}

// add keeps a job, dropping loads that finished more than an hour ago.
func (j *imports) add(job *importJob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, old := range j.byID {
		if !old.finished.IsZero() && time.Since(old.finished) > time.Hour {
			delete(j.byID, id)
		}
	}
	j.byID[job.id] = job
}

func (h *Handler) createWorkflow(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Operator console", "operator")
	if !ok {
		return nil
	}
	org := strings.TrimSpace(p.V("org"))
	if _, err := h.app.CreateWorkflow(r.Context(), who, org, p.V("kind"), p.V("title")); err != nil {
		return h.operatorFail(w, r, who, p, err)
	}
	account := p.V("account") // the account whose list it was opened from
	if account == "" {
		account = org
	}
	redirect(w, r, withFlash("/operator?wf_org="+url.QueryEscape(account)+"#workflows", "workflow"))
	return nil
}

func (h *Handler) closeWorkflow(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	wf, err := h.app.CloseWorkflow(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return err
	}
	account := r.FormValue("account") // the account whose list it was closed from
	if account == "" {
		account = wf.OrgID
	}
	redirect(w, r, withFlash("/operator?wf_org="+url.QueryEscape(account)+"#workflows", "workflow"))
	return nil
}

func (h *Handler) resolveRequest(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Operator console", "operator")
	if !ok {
		return nil
	}
	if _, err := h.app.ResolveServiceRequest(r.Context(), who, r.PathValue("id"), p.V("accept") == "1", p.V("resolution")); err != nil {
		return h.operatorFail(w, r, who, p, err)
	}
	redirect(w, r, withFlash("/operator", "resolved"))
	return nil
}

// registerApp registers one of the portal's applications with the OpenID
// Provider; its secret is shown on this one page.
func (h *Handler) registerApp(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Operator console", "operator")
	if !ok {
		return nil
	}
	d, err := h.operatorData(r, who)
	if err != nil {
		return err
	}
	p.Data = d
	rp, secret, err := h.app.RegisterRelyingParty(r.Context(), who, app.NewRelyingParty{Name: strings.TrimSpace(p.V("name")),
		Public: p.V("public") == "on", RedirectURIs: strings.Fields(p.V("redirect_uris")), LogoutURIs: strings.Fields(p.V("logout_uris"))})
	if err != nil {
		h.fail(w, r, "operator.html", p, err)
		return nil
	}
	d.NewApp, d.NewSecret = rp, secret
	if d.Apps, err = h.app.RelyingParties(r.Context(), who); err != nil {
		return err
	}
	p.Flash = p.T("Registered. Copy the secret now: it is shown this once.")
	h.render(w, r, http.StatusCreated, "operator.html", p)
	return nil
}

// changeApp replaces an application's redirect and post-logout URIs.
func (h *Handler) changeApp(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p, ok := h.posted(w, r, "Operator console", "operator")
	if !ok {
		return nil
	}
	_, err := h.app.ChangeRelyingParty(r.Context(), who, r.PathValue("id"), strings.Fields(p.V("redirect_uris")), strings.Fields(p.V("logout_uris")))
	if err != nil {
		d, derr := h.operatorData(r, who)
		if derr != nil {
			return derr
		}
		p.Data = d
		h.fail(w, r, "operator.html", p, err)
		return nil
	}
	redirect(w, r, withFlash("/operator#apps", "saved"))
	return nil
}
