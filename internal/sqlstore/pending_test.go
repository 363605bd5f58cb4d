package sqlstore

import (
	"context"
	"strings"
	"testing"
)

// TestClaimsReadPendingRowsInOrder: the mail and webhook dispatchers'
// claims read due rows in their index's order, without sorting them; a
// bulk import queues thousands of mails with one due time, and a claim
// that sorted them read all of them to take 50 (migration 30).
func TestClaimsReadPendingRowsInOrder(t *testing.T) {
	d := freshSQLite(t)
	for name, from := range map[string]string{"mail": "id" + pendingMail, "webhooks": "d.id" + pendingDeliveries} {
		rows, err := d.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN SELECT "+from, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "_pending") {
			t.Errorf("%s claim: plan %q sorts or does not use the pending index", name, p)
		}
	}
}
