package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
)

type createSubOrgInput struct {
	OrgID string `path:"org" doc:"The parent organization"`
	Body  struct {
		Name               string `json:"name" maxLength:"200"`
		Type               string `json:"type,omitempty" enum:"partner,folder,customer,unit" doc:"Required where the catalogue declares tenant types (cloud, partner), and then one the parent may contain; otherwise optional"`
		SelfManagedProfile bool   `json:"self_managed_profile,omitempty" doc:"Give the child's users phone, job title and company contacts"`
		Owner              Person `json:"owner" doc:"The new organization's owner, who gets an activation link by e-mail"`
	}
}

type subOrgOutput struct {
	Body struct {
		Org   Org  `json:"org"`
		Owner User `json:"owner"`
	}
}

func (s *Server) subOrgRoutes() {
	create := op("createSubOrg", http.MethodPost, "/api/v1/orgs/{org}/children", "Create a sub-organization", "Organizations")
	create.DefaultStatus = http.StatusCreated
	create.Errors = append(create.Errors, 409)
	create.Description = "Needs Owner or Admin in the parent. The new organization is pending until its owner sets a password " +
		"through the e-mailed link. Marketplace accounts get 403 org_management_unavailable."
	huma.Register(s.api, create, func(ctx context.Context, in *createSubOrgInput) (*subOrgOutput, error) {
		org, owner, err := s.app.CreateSubOrg(ctx, actor(ctx), in.OrgID, app.NewSubOrg{Name: in.Body.Name, Type: in.Body.Type,
			SelfManagedProfile: in.Body.SelfManagedProfile, Owner: in.Body.Owner.toApp(nil)})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &subOrgOutput{}
		out.Body.Org, out.Body.Owner = toOrg(org), toUser(owner)
		return out, nil
	})

	del := op("deleteSubOrg", http.MethodDelete, "/api/v1/orgs/{org}", "Delete a sub-organization", "Organizations")
	del.DefaultStatus = http.StatusNoContent
	del.Errors = append(del.Errors, 409)
	del.Description = "Only when it is active, holds no SIMs, has no open workflows and no children; otherwise 409 " +
		"org_not_deletable with one entry per reason in errors (codes pending, has_sims, open_workflows, has_children)."
	huma.Register(s.api, del, func(ctx context.Context, in *orgInput) (*struct{}, error) {
		return nil, s.problem(ctx, s.app.DeleteSubOrg(ctx, actor(ctx), in.OrgID))
	})
}
