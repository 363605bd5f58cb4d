package app

import (
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// ContactKinds are the kinds of company contact (O7).
var ContactKinds = []string{"billing", "technical", "business"}

// ContactInput is a contact's fields.
type ContactInput struct {
	Kind, Name, Email, Phone string
}

func (in *ContactInput) validate() error {
	var v tenantry.Validation
	in.Name, in.Email, in.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email), strings.TrimSpace(in.Phone)
	if !slices.Contains(ContactKinds, in.Kind) {
		v.Add("kind", "must be billing, technical or business")
	}
	checkName(&v, "name", in.Name)
	if in.Email != "" {
		checkEmail(&v, "email", in.Email)
	}
	if len(in.Phone) > 50 {
		v.Add("phone", "must have at most 50 characters")
	}
	return v.Err()
}

// contactOrg loads a member org where the actor may read (or, with write,
// change) company contacts; they exist only with a self-managed profile (O6).
func (a *App) contactOrg(ctx context.Context, tx tenantry.Tx, who *Actor, orgID string, write bool) (*tenantry.Org, error) {
	o, err := a.memberOrg(ctx, tx, who, orgID)
	if err != nil {
		return nil, err
	}
	act := policy.AccountSeeAll
	if write {
		act = policy.AccountCustomerData
	}
	if !a.policy.Allowed(who.Principal(), act, policy.Target{Org: o.ID}) {
		return nil, a.refused(act, o.ID, "you may not manage this organization's contacts")
	}
	if write && !o.Settings.SelfManagedProfile {
		return nil, forbidden("company contacts are managed by this organization's parent")
	}
	return o, nil
}

// CreateContact adds a billing, technical or business contact (O7). A
// contact is a record for communication and never signs in.
func (a *App) CreateContact(ctx context.Context, who *Actor, orgID string, in ContactInput) (*tenantry.Contact, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var c *tenantry.Contact
	err := a.update(ctx, func(tx tenantry.Tx) error {
		o, err := a.contactOrg(ctx, tx, who, orgID, true)
		if err != nil {
			return err
		}
		c = &tenantry.Contact{ID: newID(), OrgID: o.ID, Kind: in.Kind, Name: in.Name, Email: in.Email, Phone: in.Phone}
		if err := tx.CreateContact(ctx, c); err != nil {
			return err
		}
		return event(ctx, tx, who, o.ID, "contact.create", "contact", c.ID, map[string]any{"kind": c.Kind})
	})
	return c, err
}

// UpdateContact replaces a contact's fields.
func (a *App) UpdateContact(ctx context.Context, who *Actor, id string, in ContactInput) (*tenantry.Contact, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var c *tenantry.Contact
	err := a.update(ctx, func(tx tenantry.Tx) error {
		var err error
		if c, err = a.memberContact(ctx, tx, who, id); err != nil {
			return err
		}
		c.Kind, c.Name, c.Email, c.Phone = in.Kind, in.Name, in.Email, in.Phone
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		return event(ctx, tx, who, c.OrgID, "contact.update", "contact", c.ID, nil)
	})
	return c, err
}

// DeleteContact removes a contact.
func (a *App) DeleteContact(ctx context.Context, who *Actor, id string) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.update(ctx, func(tx tenantry.Tx) error {
		c, err := a.memberContact(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteContact(ctx, c.ID); err != nil {
			return err
		}
		return event(ctx, tx, who, c.OrgID, "contact.delete", "contact", c.ID, nil)
	})
}

func (a *App) memberContact(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.Contact, error) {
	c, err := tx.Contact(ctx, id)
	if tenantry.ErrorCode(err) == tenantry.NotFound || (err == nil && !a.policy.Member(who.Principal(), c.OrgID)) {
		return nil, notFound("contact")
	}
	if err != nil {
		return nil, err
	}
	if _, err := a.contactOrg(ctx, tx, who, c.OrgID, true); err != nil {
		return nil, err
	}
	return c, nil
}

// Contacts lists an org's contacts.
func (a *App) Contacts(ctx context.Context, who *Actor, orgID string) ([]*tenantry.Contact, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.Contact
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if _, err := a.contactOrg(ctx, tx, who, orgID, false); err != nil {
			return err
		}
		var err error
		out, err = tx.OrgContacts(ctx, orgID)
		return err
	})
	return out, err
}
