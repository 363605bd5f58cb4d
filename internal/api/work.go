package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Workflow is an open or closed invoice or SIM action.
type Workflow struct {
	ID        string     `json:"id"`
	OrgID     string     `json:"org_id"`
	Kind      string     `json:"kind" enum:"invoice,sim_action"`
	Title     string     `json:"title"`
	Status    string     `json:"status" enum:"open,closed"`
	CreatedAt time.Time  `json:"created_at"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
}

func toWorkflow(w *tenantry.Workflow) Workflow {
	return Workflow{ID: w.ID, OrgID: w.OrgID, Kind: w.Kind, Title: w.Title, Status: w.Status, CreatedAt: w.CreatedAt, ClosedAt: timePtr(w.ClosedAt)}
}

// ServiceRequest asks the platform operator for something.
type ServiceRequest struct {
	ID         string     `json:"id"`
	OrgID      string     `json:"org_id"`
	Kind       string     `json:"kind" enum:"change_owner,reset_2fa,other"`
	Text       string     `json:"text"`
	NewOwnerID string     `json:"new_owner_id,omitempty"`
	Requester  string     `json:"requester,omitempty" doc:"Who asked, as \"First Last (login)\"; in lists"`
	Person     string     `json:"person,omitempty" doc:"Whom the request is about (the proposed owner, or whose two-factor sign-in is reset), as \"First Last (login)\"; in lists"`
	Status     string     `json:"status" enum:"open,resolved,rejected"`
	Resolution string     `json:"resolution,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

func toRequest(v app.ServiceRequestView) ServiceRequest {
	r := v.ServiceRequest
	return ServiceRequest{ID: r.ID, OrgID: r.OrgID, Kind: r.Kind, Text: r.Text, NewOwnerID: r.NewOwnerID, Status: r.Status,
		Resolution: r.Resolution, CreatedAt: r.CreatedAt, ResolvedAt: timePtr(r.ResolvedAt), Requester: v.Requester, Person: v.Person}
}

// Contact is a company contact: never a user, never signs in.
type Contact struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	Kind  string `json:"kind" enum:"billing,technical,business"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

func toContact(c *tenantry.Contact) Contact {
	return Contact{ID: c.ID, OrgID: c.OrgID, Kind: c.Kind, Name: c.Name, Email: c.Email, Phone: c.Phone}
}

type workflowInput struct {
	OrgID string `path:"org"`
	Body  struct {
		Kind  string `json:"kind" enum:"invoice,sim_action"`
		Title string `json:"title" maxLength:"200"`
	}
}

type workflowOutput struct{ Body Workflow }

type workflowsOutput struct {
	Body struct {
		Items []Workflow `json:"items"`
	}
}

type idInput struct {
	ID string `path:"id"`
}

type requestInput struct {
	OrgID string `path:"org"`
	Body  struct {
		Kind       string `json:"kind" enum:"change_owner,reset_2fa,other"`
		Text       string `json:"text" maxLength:"5000"`
		NewOwnerID string `json:"new_owner_id,omitempty" doc:"The person the request is about: for change_owner the user who should become the owner, for reset_2fa the person whose two-factor sign-in the operator removes"`
	}
}

type requestOutput struct{ Body ServiceRequest }

type requestsOutput struct {
	Body struct {
		Items []ServiceRequest `json:"items"`
	}
}

type allRequestsInput struct {
	Status string `query:"status" enum:"open,resolved,rejected"`
}

type resolveInput struct {
	ID   string `path:"id"`
	Body struct {
		Accept     bool   `json:"accept" doc:"true resolves (and, for change_owner, replaces the owner); false rejects"`
		Resolution string `json:"resolution,omitempty" maxLength:"5000"`
	}
}

type contactInput struct {
	OrgID string `path:"org"`
	Body  contactBody
}

type contactBody struct {
	Kind  string `json:"kind" enum:"billing,technical,business"`
	Name  string `json:"name" maxLength:"200"`
	Email string `json:"email,omitempty" maxLength:"254"`
	Phone string `json:"phone,omitempty" maxLength:"50"`
}

type contactUpdateInput struct {
	ID   string `path:"id"`
	Body contactBody
}

type contactOutput struct{ Body Contact }

type contactsOutput struct {
	Body struct {
		Items []Contact `json:"items"`
	}
}

func (s *Server) workRoutes() {
	cw := op("createWorkflow", http.MethodPost, "/api/v1/orgs/{org}/workflows", "Record an open workflow (operators)", "Workflows")
	cw.DefaultStatus = http.StatusCreated
	huma.Register(s.api, cw, func(ctx context.Context, in *workflowInput) (*workflowOutput, error) {
		w, err := s.app.CreateWorkflow(ctx, actor(ctx), in.OrgID, in.Body.Kind, in.Body.Title)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &workflowOutput{Body: toWorkflow(w)}, nil
	})
	huma.Register(s.api, op("closeWorkflow", http.MethodPost, "/api/v1/workflows/{id}/close", "Close a workflow (operators)", "Workflows"),
		func(ctx context.Context, in *idInput) (*workflowOutput, error) {
			w, err := s.app.CloseWorkflow(ctx, actor(ctx), in.ID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &workflowOutput{Body: toWorkflow(w)}, nil
		})
	huma.Register(s.api, op("listWorkflows", http.MethodGet, "/api/v1/orgs/{org}/workflows", "List an organization's workflows", "Workflows"),
		func(ctx context.Context, in *orgInput) (*workflowsOutput, error) {
			list, err := s.app.Workflows(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &workflowsOutput{}
			out.Body.Items = []Workflow{}
			for _, w := range list {
				out.Body.Items = append(out.Body.Items, toWorkflow(w))
			}
			return out, nil
		})

	cr := op("openServiceRequest", http.MethodPost, "/api/v1/orgs/{org}/service-requests", "Open a service request", "Support")
	cr.DefaultStatus = http.StatusCreated
	cr.Description = "Needs the Support permission. A change_owner request is the one way to replace an account's owner; " +
		"a reset_2fa request the one way to remove an Owner's lost authenticator (the operator checks who asks, then accepts it)."
	huma.Register(s.api, cr, func(ctx context.Context, in *requestInput) (*requestOutput, error) {
		r, err := s.app.OpenServiceRequest(ctx, actor(ctx), in.OrgID, in.Body.Kind, in.Body.Text, in.Body.NewOwnerID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &requestOutput{Body: toRequest(app.ServiceRequestView{ServiceRequest: r})}, nil
	})
	listReqs := func(ctx context.Context, orgID, status string) (*requestsOutput, error) {
		list, err := s.app.ServiceRequests(ctx, actor(ctx), orgID, status)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &requestsOutput{}
		out.Body.Items = []ServiceRequest{}
		for _, r := range list {
			out.Body.Items = append(out.Body.Items, toRequest(r))
		}
		return out, nil
	}
	huma.Register(s.api, op("listServiceRequests", http.MethodGet, "/api/v1/orgs/{org}/service-requests", "List an organization's service requests", "Support"),
		func(ctx context.Context, in *orgInput) (*requestsOutput, error) { return listReqs(ctx, in.OrgID, "") })
	huma.Register(s.api, op("listAllServiceRequests", http.MethodGet, "/api/v1/service-requests", "List every service request (operators)", "Support"),
		func(ctx context.Context, in *allRequestsInput) (*requestsOutput, error) {
			return listReqs(ctx, "", in.Status)
		})
	res := op("resolveServiceRequest", http.MethodPost, "/api/v1/service-requests/{id}/resolve", "Resolve or reject a service request (operators)", "Support")
	res.Errors = append(res.Errors, 409)
	huma.Register(s.api, res, func(ctx context.Context, in *resolveInput) (*requestOutput, error) {
		r, err := s.app.ResolveServiceRequest(ctx, actor(ctx), in.ID, in.Body.Accept, in.Body.Resolution)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &requestOutput{Body: toRequest(app.ServiceRequestView{ServiceRequest: r})}, nil
	})

	cc := op("createContact", http.MethodPost, "/api/v1/orgs/{org}/contacts", "Add a company contact", "Contacts")
	cc.DefaultStatus = http.StatusCreated
	cc.Description = "Billing, technical and business contacts are records for communication, never users."
	huma.Register(s.api, cc, func(ctx context.Context, in *contactInput) (*contactOutput, error) {
		c, err := s.app.CreateContact(ctx, actor(ctx), in.OrgID, app.ContactInput(in.Body))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &contactOutput{Body: toContact(c)}, nil
	})
	huma.Register(s.api, op("listContacts", http.MethodGet, "/api/v1/orgs/{org}/contacts", "List company contacts", "Contacts"),
		func(ctx context.Context, in *orgInput) (*contactsOutput, error) {
			list, err := s.app.Contacts(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &contactsOutput{}
			out.Body.Items = []Contact{}
			for _, c := range list {
				out.Body.Items = append(out.Body.Items, toContact(c))
			}
			return out, nil
		})
	huma.Register(s.api, op("updateContact", http.MethodPut, "/api/v1/contacts/{id}", "Replace a company contact", "Contacts"),
		func(ctx context.Context, in *contactUpdateInput) (*contactOutput, error) {
			c, err := s.app.UpdateContact(ctx, actor(ctx), in.ID, app.ContactInput(in.Body))
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &contactOutput{Body: toContact(c)}, nil
		})
	dc := op("deleteContact", http.MethodDelete, "/api/v1/contacts/{id}", "Delete a company contact", "Contacts")
	dc.DefaultStatus = http.StatusNoContent
	huma.Register(s.api, dc, func(ctx context.Context, in *idInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.DeleteContact(ctx, actor(ctx), in.ID))
	})
}
