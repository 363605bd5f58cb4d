package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
)

type orgInput struct {
	OrgID string `path:"org" doc:"Organization id"`
}

type orgOutput struct {
	Body Org
}

type treeInput struct {
	OrgID string `path:"org" doc:"Organization id"`
	Depth int    `query:"depth" minimum:"0" doc:"How many levels below the organization; 0 for all"`
}

// TreeOrg is an organization in a subtree, with its level below the root.
type TreeOrg struct {
	Org
	Depth int `json:"depth" doc:"1 for a child of the root, 2 for a grandchild, and so on"`
}

type treeOutput struct {
	Body struct {
		Items     []TreeOrg `json:"items" doc:"Nearest first, by name within a level; each names its parent_id"`
		Truncated bool      `json:"truncated" doc:"There are more than 1,000; ask for a deeper root or fewer levels"`
	}
}

// InheritedFlag is a yes/no security setting in force, with where it comes from.
type InheritedFlag struct {
	Value   bool   `json:"value" doc:"In force for the organization's people"`
	Floor   bool   `json:"floor" doc:"What the organization's ancestors require; it may not set less"`
	SetByID string `json:"set_by_id,omitempty" doc:"The ancestor that requires it"`
	SetBy   string `json:"set_by,omitempty" doc:"That ancestor's name"`
	Locked  bool   `json:"locked" doc:"An ancestor decides it; the organization cannot change it"`
}

// InheritedNumber is a numeric security setting in force, with where it comes from.
type InheritedNumber struct {
	Value   int    `json:"value" doc:"In force for the organization's people"`
	Floor   int    `json:"floor" doc:"The loosest value the organization may set: what its ancestors or the deployment require"`
	SetByID string `json:"set_by_id,omitempty" doc:"The ancestor that sets the floor, if one does"`
	SetBy   string `json:"set_by,omitempty" doc:"That ancestor's name"`
	Locked  bool   `json:"locked" doc:"The floor is what is in force and an ancestor set it"`
}

// Security is an organization's security settings in force: its own,
// tightened by every ancestor's (B4).
type Security struct {
	Require2FA        InheritedFlag   `json:"require_2fa"`
	SessionHours      InheritedNumber `json:"session_hours" doc:"Sessions end this many hours after sign-in"`
	PasswordMinLength InheritedNumber `json:"password_min_length" doc:"New passwords have at least this many characters"`
	RequireIdP        InheritedFlag   `json:"require_idp" doc:"People sign in through an identity provider; break-glass accounts keep a password"`
	TimeZone          string          `json:"time_zone" doc:"The zone of the organization's end and due dates: its own, its nearest ancestor's, or UTC"`
	TimeZoneSetByID   string          `json:"time_zone_set_by_id,omitempty" doc:"The ancestor whose time zone it follows"`
}

type securityOutput struct {
	Body Security
}

func inheritedFlag(i app.Inherited[bool]) InheritedFlag {
	out := InheritedFlag{Value: i.Value, Floor: i.Floor, Locked: i.Locked()}
	if i.By != nil {
		out.SetByID, out.SetBy = i.By.ID, i.By.Name
	}
	return out
}

func inheritedNumber(i app.Inherited[int]) InheritedNumber {
	out := InheritedNumber{Value: i.Value, Floor: i.Floor, Locked: i.Locked()}
	if i.By != nil {
		out.SetByID, out.SetBy = i.By.ID, i.By.Name
	}
	return out
}

type orgsOutput struct {
	Body struct {
		Items []Org `json:"items"`
	}
}

func (s *Server) orgRoutes() {
	huma.Register(s.api, op("getOrg", http.MethodGet, "/api/v1/orgs/{org}", "Get an organization", "Organizations"),
		func(ctx context.Context, in *orgInput) (*orgOutput, error) {
			o, err := s.app.Org(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &orgOutput{Body: toOrg(o)}, nil
		})

	huma.Register(s.api, op("listChildOrgs", http.MethodGet, "/api/v1/orgs/{org}/children", "List sub-organizations", "Organizations"),
		func(ctx context.Context, in *orgInput) (*orgsOutput, error) {
			orgs, err := s.app.ChildOrgs(ctx, actor(ctx), in.OrgID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &orgsOutput{}
			out.Body.Items = toOrgs(orgs)
			return out, nil
		})

	tree := op("getOrgTree", http.MethodGet, "/api/v1/orgs/{org}/tree", "List the organizations below one", "Organizations")
	tree.Description = "Every organization below this one, however deep, for a viewer who may see organisations here or above."
	huma.Register(s.api, tree, func(ctx context.Context, in *treeInput) (*treeOutput, error) {
		t, err := s.app.OrgTree(ctx, actor(ctx), in.OrgID, in.Depth)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &treeOutput{}
		out.Body.Items, out.Body.Truncated = make([]TreeOrg, 0, len(t.Orgs)), t.Truncated
		for i, o := range t.Orgs {
			out.Body.Items = append(out.Body.Items, TreeOrg{Org: toOrg(o), Depth: t.Depths[i]})
		}
		return out, nil
	})

	sec := op("getOrgSecurity", http.MethodGet, "/api/v1/orgs/{org}/security", "Security settings in force", "Organizations")
	sec.Description = "Two-factor sign-in, session lifetime and password length as they apply to the organization's people: " +
		"its own settings tightened by every ancestor's, with the ancestor that sets each floor."
	huma.Register(s.api, sec, func(ctx context.Context, in *orgInput) (*securityOutput, error) {
		sc, err := s.app.Security(ctx, actor(ctx), in.OrgID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &securityOutput{Body: Security{Require2FA: inheritedFlag(sc.Require2FA),
			SessionHours: inheritedNumber(sc.SessionHours), PasswordMinLength: inheritedNumber(sc.PasswordMinLength),
			RequireIdP: inheritedFlag(sc.RequireIdP), TimeZone: sc.TimeZone.String()}}
		if sc.TimeZoneBy != nil {
			out.Body.TimeZoneSetByID = sc.TimeZoneBy.ID
		}
		return out, nil
	})
}
