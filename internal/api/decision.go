package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// AuthZEN's entities (OpenID AuthZEN Authorization API 1.0, §5).

// Subject is who wants to act: a user (a person or an API user) by id.
type Subject struct {
	Type       string         `json:"type" maxLength:"50" doc:"user"`
	ID         string         `json:"id" maxLength:"100" doc:"The user's id"`
	Properties map[string]any `json:"properties,omitempty"`
}

// DecisionAction is what the subject wants to do: a catalogue's area.action.
type DecisionAction struct {
	Name       string         `json:"name" maxLength:"100" doc:"A catalogue's area.action, e.g. sims.sim_state or users.see_all"`
	Properties map[string]any `json:"properties,omitempty"`
}

// DecisionResource is what the action is done to.
type DecisionResource struct {
	Type       string         `json:"type" maxLength:"50" enum:"organization,account,user,sim" doc:"The decision is taken in the organization that owns it"`
	ID         string         `json:"id" maxLength:"100" doc:"An organization's or user's id, or a SIM's ICCID"`
	Properties map[string]any `json:"properties,omitempty"`
}

// DecisionGrant is the grant a decision rests on.
type DecisionGrant struct {
	Role      string     `json:"role"`
	OrgID     string     `json:"org_id"`
	Service   string     `json:"service,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// DecisionContext says why (B2).
type DecisionContext struct {
	Reason  string         `json:"reason" enum:"granted,no_grant,outside_subtree,other_service,service_disabled,grant_expired,user_locked,user_not_active,mfa_required,unknown_subject,unknown_action,unknown_resource"`
	Message string         `json:"message" doc:"The reason in words, naming roles and organizations"`
	Grant   *DecisionGrant `json:"grant,omitempty" doc:"The grant that allows it, or the one that would have (expired, another service, another organization)"`
	OrgID   string         `json:"org_id,omitempty" doc:"The organization that owns the resource"`
}

// Evaluation is one decision with its reason.
type Evaluation struct {
	Decision bool            `json:"decision"`
	Context  DecisionContext `json:"context"`
}

func toEvaluation(d app.Decision) Evaluation {
	e := Evaluation{Decision: d.Allowed, Context: DecisionContext{Reason: d.Reason, Message: d.Message}}
	if g := d.Grant; g != nil {
		e.Context.Grant = &DecisionGrant{Role: g.Role, OrgID: g.OrgID, Service: g.Service, ExpiresAt: timePtr(g.ExpiresAt)}
	}
	if d.Org != nil {
		e.Context.OrgID = d.Org.ID
	}
	return e
}

type evaluationInput struct {
	Body struct {
		Subject  Subject          `json:"subject"`
		Action   DecisionAction   `json:"action"`
		Resource DecisionResource `json:"resource"`
		Context  map[string]any   `json:"context,omitempty"`
	}
}

type evaluationOutput struct {
	Body Evaluation
}

// evaluationItem is one entry of a batch: what it sets replaces the
// batch's default.
type evaluationItem struct {
	Subject  *Subject          `json:"subject,omitempty"`
	Action   *DecisionAction   `json:"action,omitempty"`
	Resource *DecisionResource `json:"resource,omitempty"`
	Context  map[string]any    `json:"context,omitempty"`
}

type evaluationsInput struct {
	Body struct {
		Subject     *Subject          `json:"subject,omitempty"`
		Action      *DecisionAction   `json:"action,omitempty"`
		Resource    *DecisionResource `json:"resource,omitempty"`
		Context     map[string]any    `json:"context,omitempty"`
		Evaluations []evaluationItem  `json:"evaluations" minItems:"1" maxItems:"200"`
		Options     struct {
			Semantic string `json:"evaluations_semantic,omitempty" enum:"execute_all,deny_on_first_deny,permit_on_first_permit" default:"execute_all"`
		} `json:"options,omitempty"`
	}
}

type evaluationsOutput struct {
	Body struct {
		Evaluations []Evaluation `json:"evaluations"`
	}
}

type explainInput struct {
	UserID   string `path:"user"`
	Action   string `query:"action" required:"true" maxLength:"100" doc:"A catalogue's area.action"`
	Resource string `query:"resource" maxLength:"120" doc:"TYPE:ID, e.g. organization:ID, user:ID or sim:ICCID; the user's organization when absent"`
}

type explainOutput struct {
	Body Evaluation
}

type permissionsInput struct {
	UserID string `path:"user"`
	OrgID  string `query:"org" maxLength:"100" doc:"The organization to look at; the user's own when absent"`
}

// Permission is one action of the catalogue and the decision on it.
type Permission struct {
	Action string `json:"action"`
	Evaluation
}

type permissionsOutput struct {
	Body struct {
		Items []Permission `json:"items"`
	}
}

// AuthZENConfiguration is the PDP's metadata (AuthZEN §9).
type AuthZENConfiguration struct {
	PolicyDecisionPoint       string `json:"policy_decision_point"`
	AccessEvaluationEndpoint  string `json:"access_evaluation_endpoint"`
	AccessEvaluationsEndpoint string `json:"access_evaluations_endpoint"`
}

func question(s Subject, a DecisionAction, r DecisionResource) app.Question {
	return app.Question{SubjectType: s.Type, SubjectID: s.ID, Action: a.Name, Resource: app.Resource{Type: r.Type, ID: r.ID}}
}

func (s *Server) decisionRoutes() {
	conf := op("authzenConfiguration", http.MethodGet, "/.well-known/authzen-configuration", "AuthZEN metadata", "Decisions")
	conf.Security = publicSecurity
	conf.Errors = nil
	huma.Register(s.api, conf, func(ctx context.Context, _ *struct{}) (*struct{ Body AuthZENConfiguration }, error) {
		return &struct{ Body AuthZENConfiguration }{Body: AuthZENConfiguration{PolicyDecisionPoint: s.public,
			AccessEvaluationEndpoint:  s.public + "/access/v1/evaluation",
			AccessEvaluationsEndpoint: s.public + "/access/v1/evaluations"}}, nil
	})

	eval := op("accessEvaluation", http.MethodPost, "/access/v1/evaluation", "May this subject do this action to this resource?", "Decisions")
	eval.Description = "OpenID AuthZEN Authorization API 1.0 access evaluation, answered from the policy data that guards " +
		"this API: the subject's grants in the organization that owns the resource, the services enabled for the account " +
		"and a parent's 2FA rule. The context says why (reason, message, the grant). Callers are the portal's " +
		"applications: API users of the platform organization with the role application, with a bearer token."
	huma.Register(s.api, eval, func(ctx context.Context, in *evaluationInput) (*evaluationOutput, error) {
		b := in.Body
		ds, err := s.app.Decide(ctx, actor(ctx), []app.Question{question(b.Subject, b.Action, b.Resource)}, nil)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &evaluationOutput{Body: toEvaluation(ds[0])}, nil
	})

	evals := op("accessEvaluations", http.MethodPost, "/access/v1/evaluations", "Many decisions in one call", "Decisions")
	evals.Description = "AuthZEN batch: the top-level subject, action and resource are defaults that each evaluation may replace; " +
		"options.evaluations_semantic stops at the first deny or permit."
	huma.Register(s.api, evals, func(ctx context.Context, in *evaluationsInput) (*evaluationsOutput, error) {
		b := in.Body
		qs := make([]app.Question, 0, len(b.Evaluations))
		for i, e := range b.Evaluations {
			sub, act, res := either(e.Subject, b.Subject), either(e.Action, b.Action), either(e.Resource, b.Resource)
			if sub.ID == "" || act.Name == "" || res.ID == "" {
				return nil, s.problem(ctx, invalidAt(i))
			}
			qs = append(qs, question(sub, act, res))
		}
		var stop func(app.Decision) bool
		switch b.Options.Semantic {
		case "deny_on_first_deny":
			stop = func(d app.Decision) bool { return !d.Allowed }
		case "permit_on_first_permit":
			stop = func(d app.Decision) bool { return d.Allowed }
		}
		ds, err := s.app.Decide(ctx, actor(ctx), qs, stop)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &evaluationsOutput{}
		out.Body.Evaluations = make([]Evaluation, 0, len(ds))
		for _, d := range ds {
			out.Body.Evaluations = append(out.Body.Evaluations, toEvaluation(d))
		}
		return out, nil
	})

	explain := op("explainDecision", http.MethodGet, "/api/v1/users/{user}/explain", "Why may (or may not) this person do this?", "Decisions")
	explain.Description = "The decision Tenantry takes for the user, the action and the resource, with the grant that " +
		"allows it (role, organization, service, expiry) or the rule that denies it. The user themselves, or whoever " +
		"sees the users of the user's organization, may ask."
	huma.Register(s.api, explain, func(ctx context.Context, in *explainInput) (*explainOutput, error) {
		res, err := parseResource(in.Resource)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		d, err := s.app.Explain(ctx, actor(ctx), in.UserID, in.Action, res)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &explainOutput{Body: toEvaluation(d)}, nil
	})

	perms := op("listPermissions", http.MethodGet, "/api/v1/users/{user}/permissions", "What can this person do here?", "Decisions")
	perms.Description = "Every action of the organization's catalogue with the decision for the user and its reason."
	huma.Register(s.api, perms, func(ctx context.Context, in *permissionsInput) (*permissionsOutput, error) {
		ps, err := s.app.Permissions(ctx, actor(ctx), in.UserID, in.OrgID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &permissionsOutput{}
		out.Body.Items = make([]Permission, 0, len(ps))
		for _, p := range ps {
			out.Body.Items = append(out.Body.Items, Permission{Action: p.Action, Evaluation: toEvaluation(p.Decision)})
		}
		return out, nil
	})
}

// invalidAt says that evaluation i of a batch lacks what it needs.
func invalidAt(i int) error {
	var v tenantry.Validation
	v.Add(fmt.Sprintf("evaluations[%d]", i), "needs a subject, an action and a resource, its own or the batch's")
	return v.Err()
}

// parseResource reads TYPE:ID; a bare id is an organization's.
func parseResource(s string) (app.Resource, error) {
	if s == "" {
		return app.Resource{}, nil
	}
	typ, id, ok := strings.Cut(s, ":")
	if !ok {
		return app.Resource{Type: app.ResourceOrg, ID: s}, nil
	}
	switch typ {
	case app.ResourceOrg, "org", "account", app.ResourceUser, app.ResourceSIM:
		return app.Resource{Type: typ, ID: id}, nil
	}
	var v tenantry.Validation
	v.Add("resource", "must be organization:ID, user:ID or sim:ICCID")
	return app.Resource{}, v.Err()
}

// either is an evaluation's own value, else the batch's default, else zero.
func either[T any](own, batch *T) T {
	switch {
	case own != nil:
		return *own
	case batch != nil:
		return *batch
	}
	var zero T
	return zero
}
