package app_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/tenantry/tenantry/internal/app"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// loadsSeen is the test's store: every call goes to the real one, and
// the statistics refreshes asked of it are noted.
type loadsSeen struct {
	tenantry.Store
	mu    sync.Mutex
	asked [][]string
}

func (s *loadsSeen) AfterBulkLoad(ctx context.Context, tables ...string) error {
	s.mu.Lock()
	s.asked = append(s.asked, tables)
	s.mu.Unlock()
	return s.Store.AfterBulkLoad(ctx, tables...)
}

// TestLargeImportRefreshesStatistics: an import of 1,000 people has the
// store refresh the statistics of users and grants once it has answered
// (on PostgreSQL an ANALYZE, which TestAfterBulkLoadAnalysesOnPostgres
// checks); a smaller one does not.
func TestLargeImportRefreshesStatistics(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		seen := &loadsSeen{Store: e.db}
		e.via = seen
		e.app = e.instance(nil)
		acc, owner := e.account(e.operator(), "owner@bulk.example")
		people := func(prefix string, n int) []app.ImportRow {
			rows := make([]app.ImportRow, n)
			for i := range rows {
				rows[i].NewUser = app.NewUser{Email: fmt.Sprintf("%s%04d@bulk.example", prefix, i), FirstName: "Bulk",
					LastName: fmt.Sprintf("No%04d", i), Roles: []string{"read_only"}}
			}
			return rows
		}
		for _, c := range []struct {
			prefix string
			n      int
			want   [][]string
		}{
			{"small", 999, nil},
			{"large", 1000, [][]string{{"users", "grants"}}},
		} {
			res, err := e.app.ImportUsers(ctx, owner, acc.ID, people(c.prefix, c.n), false)
			e.must(err)
			e.app.Settle()
			seen.mu.Lock()
			asked := seen.asked
			seen.asked = nil
			seen.mu.Unlock()
			if res.Created != c.n || !slices.EqualFunc(asked, c.want, slices.Equal) {
				t.Errorf("%d people imported (%d created): statistics refreshed for %v, want %v", c.n, res.Created, asked, c.want)
			}
		}
	})
}
