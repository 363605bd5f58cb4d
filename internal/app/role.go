package app

import (
	"context"

	"github.com/tenantry/tenantry/internal/policy"
)

// RoleMatrix returns a role catalogue's permission table (R4), the same
// data that enforces every request. Anyone signed in may read it.
func (a *App) RoleMatrix(ctx context.Context, who *Actor, catalogue string) (policy.Matrix, error) {
	if err := ready(who); err != nil {
		return policy.Matrix{}, err
	}
	m := a.policy.Matrix(catalogue)
	if len(m.Roles) == 0 {
		return m, notFound("role catalogue")
	}
	return m, nil
}

// CatalogueInfo describes one customer role catalogue.
type CatalogueInfo struct {
	Name         string
	Roles        []string
	Services     []string
	AccountOwner string
	Default      bool // the deployment's default for new accounts
}

// Catalogues lists the customer role catalogues, the default marked.
// Anyone signed in may read them, as the matrices.
func (a *App) Catalogues(ctx context.Context, who *Actor) ([]CatalogueInfo, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []CatalogueInfo
	for _, name := range a.policy.Catalogues() {
		c := CatalogueInfo{Name: name, Services: a.policy.Services(name), Default: name == a.cfg.Catalogue}
		for _, r := range a.policy.Roles(name) {
			c.Roles = append(c.Roles, a.policy.RoleName(r))
		}
		if r, ok := a.policy.AccountOwner(name); ok {
			c.AccountOwner = a.policy.RoleName(r)
		}
		if c.Services == nil {
			c.Services = []string{}
		}
		out = append(out, c)
	}
	return out, nil
}
