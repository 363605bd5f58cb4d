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
