package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Person is a new person's profile (U2).
type Person struct {
	Email            string `json:"email" maxLength:"254" doc:"Unique in the organization; the login unless one is chosen"`
	Login            string `json:"login,omitempty" maxLength:"254" doc:"A custom login, unique everywhere; defaults to the e-mail address"`
	FirstName        string `json:"first_name" maxLength:"200"`
	LastName         string `json:"last_name" maxLength:"200"`
	Phone            string `json:"phone,omitempty" maxLength:"50" doc:"Only where the organization has a self-managed customer profile"`
	JobTitle         string `json:"job_title,omitempty" maxLength:"200" doc:"Only where the organization has a self-managed customer profile"`
	Language         string `json:"language,omitempty" enum:"en,de" default:"en"`
	ContactBilling   bool   `json:"contact_billing,omitempty"`
	ContactTechnical bool   `json:"contact_technical,omitempty"`
	ContactBusiness  bool   `json:"contact_business,omitempty"`
	NotifyNews       bool   `json:"notify_news,omitempty"`
	NotifyAlerts     bool   `json:"notify_alerts,omitempty"`
}

func (b Person) toApp(roles []string) app.NewUser {
	return app.NewUser{Email: b.Email, Login: b.Login, FirstName: b.FirstName, LastName: b.LastName,
		Phone: b.Phone, JobTitle: b.JobTitle, Language: b.Language, ContactBilling: b.ContactBilling,
		ContactTechnical: b.ContactTechnical, ContactBusiness: b.ContactBusiness, NotifyNews: b.NotifyNews,
		NotifyAlerts: b.NotifyAlerts, Roles: roles}
}

type createUserInput struct {
	OrgID string `path:"org"`
	Body  struct {
		Person
		Kind             string     `json:"kind,omitempty" enum:"human" default:"human" doc:"People are created here; API users and service accounts get client credentials"`
		IdentityProvider string     `json:"identity_provider,omitempty" maxLength:"100" doc:"Sign in through this identity provider of the organization (GET /api/v1/orgs/{org}/identity-providers) instead of a password; the person is e-mailed a link to the sign-in page, and their first sign-in through it activates them"`
		ExternalLogin    string     `json:"external_login,omitempty" maxLength:"254" doc:"What the provider's login claim carries for the person; defaults to their e-mail"`
		BreakGlass       bool       `json:"break_glass,omitempty" doc:"Keep a password although an ancestor requires identity providers; only that ancestor's administrators name one"`
		Roles            []string   `json:"roles" minItems:"1" maxItems:"20" doc:"Role names of the organization's catalogue, e.g. admin, user, read_only; a role in one service only is ROLE:SERVICE, e.g. service_admin:backup (GET /api/v1/orgs/{org}/services lists the enabled ones)"`
		RolesUntil       *time.Time `json:"roles_until,omitempty" doc:"The roles end by themselves at this time (RFC 3339, with the offset of the organization's time zone); for an invited person, after the invitation's link runs out"`
	}
}

type userOutput struct {
	Body User
}

type listUsersInput struct {
	OrgID     string   `path:"org"`
	FirstName string   `query:"first_name" maxLength:"200" doc:"Case-insensitive prefix"`
	LastName  string   `query:"last_name" maxLength:"200" doc:"Case-insensitive prefix"`
	Login     string   `query:"login" maxLength:"254" doc:"Case-insensitive prefix"`
	Email     string   `query:"email" maxLength:"254" doc:"Case-insensitive prefix"`
	Kind      []string `query:"kind,explode" enum:"human,api,service" doc:"Only users of these kinds: human for people, api and service for machines; repeat for several"`
	Sort      string   `query:"sort" enum:"last_name,first_name,login,email,created_at" default:"last_name"`
	Order     string   `query:"order" enum:"asc,desc" default:"asc"`
	Cursor    string   `query:"cursor" maxLength:"1000" doc:"next_cursor of the previous page"`
	Limit     int      `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type usersOutput struct {
	Body struct {
		Items      []User `json:"items"`
		NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

type userInput struct {
	UserID string `path:"user"`
}

type updateUserInput struct {
	UserID string `path:"user"`
	Body   userPatchBody
}

// userPatchBody is a user's changeable fields; absent fields stay.
type userPatchBody struct {
	Email            *string `json:"email,omitempty" maxLength:"254"`
	FirstName        *string `json:"first_name,omitempty" maxLength:"200"`
	LastName         *string `json:"last_name,omitempty" maxLength:"200"`
	Phone            *string `json:"phone,omitempty" maxLength:"50"`
	JobTitle         *string `json:"job_title,omitempty" maxLength:"200"`
	Language         *string `json:"language,omitempty" enum:"en,de"`
	ContactBilling   *bool   `json:"contact_billing,omitempty"`
	ContactTechnical *bool   `json:"contact_technical,omitempty"`
	ContactBusiness  *bool   `json:"contact_business,omitempty"`
	NotifyNews       *bool   `json:"notify_news,omitempty"`
	NotifyAlerts     *bool   `json:"notify_alerts,omitempty"`
	OrgID            *string `json:"org_id,omitempty" doc:"Refused when it differs: users never move between organizations"`
	IdentityProvider *string `json:"identity_provider,omitempty" maxLength:"100" doc:"The identity provider the person signs in with; \"\" for a password (they are e-mailed a link to set one). A change ends their sessions"`
	ExternalLogin    *string `json:"external_login,omitempty" maxLength:"254" doc:"What the provider's login claim carries for the person; \"\" for their e-mail"`
	BreakGlass       *bool   `json:"break_glass,omitempty"`
}

func (b *userPatchBody) toApp() app.UserPatch {
	return app.UserPatch{Email: b.Email, FirstName: b.FirstName,
		LastName: b.LastName, Phone: b.Phone, JobTitle: b.JobTitle, Language: b.Language,
		ContactBilling: b.ContactBilling, ContactTechnical: b.ContactTechnical, ContactBusiness: b.ContactBusiness,
		NotifyNews: b.NotifyNews, NotifyAlerts: b.NotifyAlerts, OrgID: b.OrgID,
		IdP: b.IdentityProvider, ExternalLogin: b.ExternalLogin, BreakGlass: b.BreakGlass}
}

type updateMeInput struct {
	Body userPatchBody
}

func (s *Server) userRoutes() {
	create := op("createUser", http.MethodPost, "/api/v1/orgs/{org}/users", "Create a user", "Users")
	create.DefaultStatus = http.StatusCreated
	create.Errors = append(create.Errors, 409)
	create.Description = "Creates a person with one or more roles and e-mails them a one-time link to set a password. " +
		"You may give only roles you administer. When the login exists already in another organization (which the answer " +
		"does not reveal), the person is invited instead (U4): the answer has the same form, status invited, and its id is " +
		"that of the invitation listed under /orgs/{org}/invitations; they appear as a user here once they accept."
	huma.Register(s.api, create, func(ctx context.Context, in *createUserInput) (*userOutput, error) {
		nu := in.Body.toApp(in.Body.Roles)
		nu.Kind = tenantry.UserKind(in.Body.Kind)
		nu.IdP, nu.ExternalLogin, nu.BreakGlass = in.Body.IdentityProvider, in.Body.ExternalLogin, in.Body.BreakGlass
		if in.Body.RolesUntil != nil {
			nu.RolesUntil = *in.Body.RolesUntil
		}
		v, err := s.app.CreateUser(ctx, actor(ctx), in.OrgID, nu)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &userOutput{Body: toUser(v)}, nil
	})

	huma.Register(s.api, op("listUsers", http.MethodGet, "/api/v1/orgs/{org}/users", "List users", "Users"),
		func(ctx context.Context, in *listUsersInput) (*usersOutput, error) {
			var kinds []tenantry.UserKind
			for _, k := range in.Kind {
				kinds = append(kinds, tenantry.UserKind(k))
			}
			users, next, err := s.app.ListUsers(ctx, actor(ctx), tenantry.UserFilter{OrgID: in.OrgID, Kinds: kinds,
				FirstName: in.FirstName, LastName: in.LastName, Login: in.Login, Email: in.Email,
				Sort: tenantry.UserSort(in.Sort), Desc: in.Order == "desc", Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			out := &usersOutput{}
			out.Body.Items = make([]User, 0, len(users))
			for _, u := range users {
				out.Body.Items = append(out.Body.Items, toUser(u))
			}
			out.Body.NextCursor = next
			return out, nil
		})

	huma.Register(s.api, op("getUser", http.MethodGet, "/api/v1/users/{user}", "Get a user", "Users"),
		func(ctx context.Context, in *userInput) (*userOutput, error) {
			v, err := s.app.User(ctx, actor(ctx), in.UserID)
			if err != nil {
				return nil, s.problem(ctx, err)
			}
			return &userOutput{Body: toUser(v)}, nil
		})

	update := op("updateUser", http.MethodPatch, "/api/v1/users/{user}", "Change a user's profile", "Users")
	update.Errors = append(update.Errors, 409)
	huma.Register(s.api, update, func(ctx context.Context, in *updateUserInput) (*userOutput, error) {
		v, err := s.app.UpdateUser(ctx, actor(ctx), in.UserID, in.Body.toApp())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &userOutput{Body: toUser(v)}, nil
	})

	me := op("updateMe", http.MethodPatch, "/api/v1/me", "Change your own profile", "Me")
	me.Description = "Names, language, notification subscriptions and, where your organization manages its own " +
		"customer profile, phone, job title and company-contact flags. Your e-mail address is changed by an administrator."
	huma.Register(s.api, me, func(ctx context.Context, in *updateMeInput) (*userOutput, error) {
		v, err := s.app.UpdateProfile(ctx, actor(ctx), in.Body.toApp())
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &userOutput{Body: toUser(v)}, nil
	})

	del := op("deleteUser", http.MethodDelete, "/api/v1/users/{user}", "Delete a user", "Users")
	del.DefaultStatus = http.StatusNoContent
	huma.Register(s.api, del, func(ctx context.Context, in *userInput) (*struct{}, error) {
		if err := s.app.DeleteUser(ctx, actor(ctx), in.UserID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})

	rm := op("removeLinkedUser", http.MethodDelete, "/api/v1/users/{user}/link", "Remove a person invited from another organization", "Users")
	rm.DefaultStatus = http.StatusNoContent
	rm.Errors = append(rm.Errors, 409)
	rm.Description = "Ends every role the person holds in the organization where you see them and the link made when they " +
		"accepted the invitation, in one change. Their login, their own organization and their roles elsewhere stay. " +
		"A person of your own organization is deleted instead (409)."
	huma.Register(s.api, rm, func(ctx context.Context, in *userInput) (*struct{}, error) {
		if _, err := s.app.RemoveLinked(ctx, actor(ctx), in.UserID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
