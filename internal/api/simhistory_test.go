package api_test

import (
	"strings"
	"testing"

	"github.com/tenantry/tenantry/internal/sqlstore/sqltest"
	"github.com/tenantry/tenantry/internal/sqlstore/storetest"
)

// TestSIMHistoryAndIdempotentRequests is issue 15's item 5: a retried
// load or transfer with the same Idempotency-Key answers as the first and
// moves nothing twice, the same key with another request is refused, and
// each SIM's history names its load and every transfer that moved it —
// not a transfer whose range held it while another org owned it.
func TestSIMHistoryAndIdempotentRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b sqltest.Backend) {
		f := newFixture(t, b)
		withChildren(t, f)
		op, owner := f.clients["operator"], f.clients["ownerA"]

		// A load retried with its key loads nothing twice.
		load := op.with("Idempotency-Key", "load-2026-12-03")
		first := load.must(201, "POST", f.path("/api/v1/accounts/{A}/sims"), map[string]any{"iccids": iccids(100, 149)})
		again := load.must(201, "POST", f.path("/api/v1/accounts/{A}/sims"), map[string]any{"iccids": iccids(100, 149)})
		if first.raw != again.raw || !strings.Contains(again.raw, `"loaded":50`) {
			t.Fatalf("retried load: %s, then %s", first.raw, again.raw)
		}
		if r := load.must(422, "POST", f.path("/api/v1/accounts/{A}/sims"), map[string]any{"iccids": iccids(150, 151)}); !strings.Contains(r.raw, "Idempotency-Key") && !strings.Contains(r.raw, "idempotency_key") {
			t.Fatalf("the key reused for another load: %s", r.raw)
		}

		// A transfer retried with its key answers with the same transfer.
		move := owner.with("Idempotency-Key", "move-1")
		body := map[string]any{"from": f.ids["{A}"], "to": f.ids["{C1}"], "ranges": []map[string]string{
			{"start": storetest.ICCID(0), "end": storetest.ICCID(9)}, {"start": storetest.ICCID(100), "end": storetest.ICCID(104)}}}
		t1 := move.must(200, "POST", "/api/v1/transfers", body)
		t1again := move.must(200, "POST", "/api/v1/transfers", body)
		if t1.str("id") == "" || t1again.str("id") != t1.str("id") || !strings.Contains(t1again.raw, `"moved":15`) {
			t.Fatalf("retried transfer: %s, then %s", t1.raw, t1again.raw)
		}
		if r := f.clients["ownerC1"].must(200, "GET", f.path("/api/v1/orgs/{C1}/sims?limit=200"), nil); len(r.body["items"].([]any)) != 15 {
			t.Fatalf("C1 holds %d SIMs after a retried transfer, want 15", len(r.body["items"].([]any)))
		}
		// Another caller's same key is another request.
		f.clients["ownerC1"].with("Idempotency-Key", "move-1").must(200, "POST", "/api/v1/transfers",
			map[string]any{"from": f.ids["{C1}"], "to": f.ids["{A}"], "ranges": []map[string]string{{"start": storetest.ICCID(5), "end": storetest.ICCID(9)}}})
		// A range that holds SIM 20 while A still owns it: C2 → A moves
		// nothing of it.
		owner.must(200, "POST", "/api/v1/transfers", map[string]any{"from": f.ids["{A}"], "to": f.ids["{C2}"],
			"ranges": []map[string]string{{"start": storetest.ICCID(50), "end": storetest.ICCID(59)}}})
		f.clients["ownerC2"].must(200, "POST", "/api/v1/transfers", map[string]any{"from": f.ids["{C2}"], "to": f.ids["{A}"],
			"ranges": []map[string]string{{"start": storetest.ICCID(0), "end": storetest.ICCID(59)}}})

		h := owner.must(200, "GET", "/api/v1/sims/"+storetest.ICCID(7), nil)
		hist := h.body["history"].([]any)
		if len(hist) != 3 {
			t.Fatalf("SIM 7 has %d events, want loaded, to C1, back to A: %s", len(hist), h.raw)
		}
		kinds := []string{}
		for _, e := range hist {
			e := e.(map[string]any)
			kinds = append(kinds, e["kind"].(string)+":"+str(e["to_org_name"]))
		}
		if strings.Join(kinds, ",") != "loaded:Account A,transferred:Child C1,transferred:Account A" {
			t.Fatalf("SIM 7's history: %v", kinds)
		}
		if e := hist[1].(map[string]any); e["id"] != t1.str("id") || e["by"] != "ownerA@example.com" || e["range"].(map[string]any)["end"] != storetest.ICCID(9) {
			t.Fatalf("the transfer event: %v", e)
		}
		// SIM 20 sat in C2 → A's range but stayed with A: not its history.
		if r := owner.must(200, "GET", "/api/v1/sims/"+storetest.ICCID(20), nil); len(r.body["history"].([]any)) != 1 {
			t.Fatalf("SIM 20's history: %s", r.raw)
		}
		// SIM 55 went to C2 and back.
		if r := owner.must(200, "GET", "/api/v1/sims/"+storetest.ICCID(55), nil); len(r.body["history"].([]any)) != 3 {
			t.Fatalf("SIM 55's history: %s", r.raw)
		}
		// C1's owner sees a SIM it holds, with its parent left unnamed.
		r := f.clients["ownerC1"].must(200, "GET", "/api/v1/sims/"+storetest.ICCID(2), nil)
		if strings.Contains(r.raw, "Account A") || strings.Contains(r.raw, "ownerA@example.com") || len(r.body["history"].([]any)) != 2 {
			t.Fatalf("the child's view names the parent: %s", r.raw)
		}
		f.clients["ownerC1"].must(404, "GET", "/api/v1/sims/"+storetest.ICCID(7), nil)
		f.clients["userB"].must(404, "GET", "/api/v1/sims/"+storetest.ICCID(7), nil)
	})
}
