package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// importData is the page that creates people from a CSV file.
type importData struct {
	Org   *tenantry.Org
	Roles []string // the roles the viewer may give here
	// Problems are the file's problems by line, after a refused upload.
	Problems []tenantry.FieldError
}

// maxPeopleFile bounds an uploaded people file.
const maxPeopleFile = 8 << 20

func (h *Handler) importPage(r *http.Request, who *app.Actor, p *page) (*importData, error) {
	org, err := h.app.Org(r.Context(), who, orgParam(r, who))
	if err != nil {
		return nil, err
	}
	d := &importData{Org: org}
	if d.Roles, _ = h.splitAssignable(who, org, true); len(d.Roles) == 0 {
		return nil, tenantry.Errorf(tenantry.Forbidden, "you may not create people in %s", org.Name)
	}
	p.Org, p.Data = org.ID, d
	return d, nil
}

func (h *Handler) importForm(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Import people", "users")
	if _, err := h.importPage(r, who, p); err != nil {
		return err
	}
	p.Form.Set("send_activation", "on")
	h.render(w, r, http.StatusOK, "users_import.html", p)
	return nil
}

// importPeople reads an uploaded CSV file and creates its people, all or
// none; a refused file is shown again with its problems by line.
func (h *Handler) importPeople(w http.ResponseWriter, r *http.Request, who *app.Actor) error {
	p := h.newPage(r, "Import people", "users")
	r.Body = http.MaxBytesReader(w, r.Body, maxPeopleFile+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return tenantry.Errorf(tenantry.Invalid, "the upload could not be read: at most %d MB", maxPeopleFile>>20)
	}
	p.Form = r.PostForm
	d, err := h.importPage(r, who, p)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		var e *tenantry.Error
		if !errors.As(err, &e) || e.Code != tenantry.Invalid && e.Code != tenantry.Conflict {
			return err
		}
		d.Problems = e.Fields
		if len(d.Problems) == 0 {
			d.Problems = []tenantry.FieldError{{Message: e.Message, Text: e.Text}}
		}
		h.render(w, r, http.StatusUnprocessableEntity, "users_import.html", p)
		return nil
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return fail(tenantry.FieldInvalid("file", "choose a CSV file"))
	}
	rows, err := app.ReadPeopleCSV(f, h.zone(r.Context(), who, d.Org.ID))
	f.Close()
	if err != nil {
		return fail(err)
	}
	res, err := h.app.ImportUsers(r.Context(), who, d.Org.ID, rows, p.V("send_activation") == "on")
	if err != nil {
		return fail(err)
	}
	redirect(w, r, "/users?org="+url.QueryEscape(d.Org.ID)+"&imported="+url.QueryEscape(fmt.Sprint(res.Created))+
		"&invited="+url.QueryEscape(fmt.Sprint(res.Invited)))
	return nil
}
