package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
)

// ImportPerson is one person of a bulk import.
type ImportPerson struct {
	Person
	Roles      []string   `json:"roles" maxItems:"20" doc:"Role names, as for one person"`
	RolesUntil *time.Time `json:"roles_until,omitempty" doc:"The roles end by themselves at this time"`
	Line       int        `json:"line,omitempty" minimum:"0" doc:"The line of your file this person came from, which errors name; default the position in users, from 1"`
}

type peopleImportOutput struct {
	Body struct {
		Created int `json:"created"`
		Invited int `json:"invited" doc:"People whose login exists elsewhere, invited instead"`
	}
}

func (s *Server) importRoutes() {
	imp := op("importUsers", http.MethodPost, "/api/v1/orgs/{org}/users/import", "Create many people at once", "Users")
	imp.DefaultStatus = http.StatusCreated
	imp.Errors = append(imp.Errors, 409)
	imp.Description = "Up to 10,000 people with their roles, all or nothing: every person is checked first and each problem " +
		"names its line and field (errors[].line). A login that exists in another organization is invited instead, as " +
		"when creating one person. With send_activation false nobody is e-mailed; people then activate through " +
		"\"forgot password\", their identity provider, or an activation sent later. `tenantry users import FILE.csv` " +
		"sends a CSV file in batches."
	huma.Register(s.api, imp, func(ctx context.Context, in *struct {
		OrgID string `path:"org"`
		Body  struct {
			Users          []ImportPerson `json:"users" minItems:"1" maxItems:"10000"`
			SendActivation *bool          `json:"send_activation,omitempty" doc:"E-mail each new person an activation link (default true)"`
		}
	}) (*peopleImportOutput, error) {
		rows := make([]app.ImportRow, 0, len(in.Body.Users))
		for i, p := range in.Body.Users {
			r := app.ImportRow{Line: p.Line, NewUser: p.Person.toApp(p.Roles)}
			if r.Line == 0 {
				r.Line = i + 1
			}
			if p.RolesUntil != nil {
				r.RolesUntil = *p.RolesUntil
			}
			rows = append(rows, r)
		}
		send := in.Body.SendActivation == nil || *in.Body.SendActivation
		res, err := s.app.ImportUsers(ctx, actor(ctx), in.OrgID, rows, send)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &peopleImportOutput{}
		out.Body.Created, out.Body.Invited = res.Created, res.Invited
		return out, nil
	})
}
