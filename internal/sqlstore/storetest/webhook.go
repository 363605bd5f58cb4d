package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// testWebhooks covers the webhook outbox: an org's events are heard by
// the active endpoints of the org and the orgs above it, never a
// sibling's; a claimed delivery is leased to one claimer; attempts move a
// delivery to delivered, retrying or failed and its endpoint's failure
// streak with it; the log pages by state; finished deliveries are swept.
func testWebhooks(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "5200001")
	child, sibling := mustChild(t, s, acc, "Depot"), mustChild(t, s, acc, "Other depot")
	other := mustAccount(t, s, "5200002")
	endpoint := func(org string, types ...string) *tenantry.WebhookEndpoint {
		e := &tenantry.WebhookEndpoint{ID: newID(), OrgID: org, URL: "https://hooks.example.com/" + org, EventTypes: types,
			Secret: "sealed", SecretHint: "abcd", Active: true}
		update(t, s, func(tx tenantry.Tx) error { return tx.CreateWebhookEndpoint(ctx, e) })
		return e
	}
	top, low, off, far := endpoint(acc.ID, "user.*", "grant.create"), endpoint(child.ID, "*"), endpoint(child.ID, "*"),
		endpoint(other.ID, "*")
	off.Active, off.DisabledReason = false, "failed for a day"
	update(t, s, func(tx tenantry.Tx) error { return tx.UpdateWebhookEndpoint(ctx, off) })

	listeners := func(org string) []string {
		var ids []string
		update(t, s, func(tx tenantry.Tx) error {
			got, err := tx.WebhookListeners(ctx, org)
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			return err
		})
		return ids
	}
	if got := listeners(child.ID); len(got) != 2 || got[0] != top.ID || got[1] != low.ID {
		t.Fatalf("the depot's listeners: %v, want the account's and its own active one", got)
	}
	if got := listeners(sibling.ID); len(got) != 1 || got[0] != top.ID {
		t.Fatalf("the sibling's listeners: %v", got)
	}
	if got := listeners(other.ID); len(got) != 1 || got[0] != far.ID {
		t.Fatalf("another account's listeners: %v", got)
	}
	update(t, s, func(tx tenantry.Tx) error {
		e, err := tx.WebhookEndpoint(ctx, top.ID)
		if err != nil || len(e.EventTypes) != 2 || e.EventTypes[1] != "grant.create" || !e.Active {
			t.Fatalf("read back: %+v %v", e, err)
		}
		list, err := tx.WebhookEndpoints(ctx, child.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("the depot's endpoints: %d %v", len(list), err)
		}
		return nil
	})

	enqueue := func(e *tenantry.WebhookEndpoint, typ string) *tenantry.WebhookDelivery {
		d := &tenantry.WebhookDelivery{EndpointID: e.ID, MessageID: "msg_" + newID(), EventID: newID(), EventType: typ,
			Payload: []byte(`{"type":"` + typ + `"}`)}
		update(t, s, func(tx tenantry.Tx) error { return tx.EnqueueWebhook(ctx, d) })
		return d
	}
	first, second, waiting := enqueue(top, "user.create"), enqueue(low, "user.create"), enqueue(off, "user.create")
	var claimed []*tenantry.WebhookDelivery
	update(t, s, func(tx tenantry.Tx) error {
		var err error
		claimed, err = tx.ClaimWebhooks(ctx, 10, tx.Now().Add(time.Minute))
		return err
	})
	if len(claimed) != 2 || claimed[0].ID != first.ID || claimed[1].ID != second.ID || claimed[0].Attempts != 1 ||
		claimed[0].OrgID != acc.ID || string(claimed[0].Payload) != `{"type":"user.create"}` {
		t.Fatalf("claimed %+v; the endpoint that is off must wait", claimed)
	}
	update(t, s, func(tx tenantry.Tx) error {
		again, err := tx.ClaimWebhooks(ctx, 10, tx.Now().Add(time.Minute))
		if err != nil || len(again) != 0 {
			t.Fatalf("claimed twice within the lease: %d %v", len(again), err)
		}
		return nil
	})

	// Failure: the endpoint fails since now; a retry is due later.
	failedAt := clock.Now()
	update(t, s, func(tx tenantry.Tx) error {
		e, err := tx.RecordWebhookAttempt(ctx, first.ID, tenantry.WebhookAttempt{Status: 500, Error: "HTTP 500",
			Duration: 30 * time.Millisecond, RetryAt: tx.Now().Add(time.Hour)})
		if err != nil || !e.FailingSince.Equal(failedAt.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("endpoint after a failure: %+v %v", e, err)
		}
		return tx.ReleaseWebhooks(ctx, []string{second.ID})
	})
	clock.Advance(time.Minute)
	update(t, s, func(tx tenantry.Tx) error {
		e, err := tx.RecordWebhookAttempt(ctx, second.ID, tenantry.WebhookAttempt{Status: 0, Error: "refused"})
		if err != nil || e.ID != low.ID || e.FailingSince.IsZero() {
			t.Fatalf("given up: %+v %v", e, err)
		}
		d, err := tx.WebhookDelivery(ctx, second.ID)
		if err != nil || d.State() != "failed" || d.LastError != "refused" {
			t.Fatalf("given-up delivery: %+v %v", d, err)
		}
		d, err = tx.WebhookDelivery(ctx, first.ID)
		if err != nil || d.State() != "retrying" || d.LastStatus != 500 || d.LastDuration != 30*time.Millisecond {
			t.Fatalf("retrying delivery: %+v %v", d, err)
		}
		again, err := tx.ClaimWebhooks(ctx, 10, tx.Now().Add(time.Minute))
		if err != nil || len(again) != 0 {
			t.Fatalf("claimed before its retry is due: %d %v", len(again), err)
		}
		return nil
	})
	clock.Advance(time.Hour)
	update(t, s, func(tx tenantry.Tx) error {
		again, err := tx.ClaimWebhooks(ctx, 10, tx.Now().Add(time.Minute))
		if err != nil || len(again) != 1 || again[0].ID != first.ID || again[0].Attempts != 2 {
			t.Fatalf("the retry: %+v %v", again, err)
		}
		e, err := tx.RecordWebhookAttempt(ctx, first.ID, tenantry.WebhookAttempt{Status: 204})
		if err != nil || !e.FailingSince.IsZero() {
			t.Fatalf("a success ends the streak: %+v %v", e, err)
		}
		// A replay starts the delivery over.
		if err := tx.RetryWebhook(ctx, second.ID); err != nil {
			return err
		}
		d, err := tx.WebhookDelivery(ctx, second.ID)
		if err != nil || d.State() != "pending" || d.Attempts != 0 {
			t.Fatalf("replayed: %+v %v", d, err)
		}
		return nil
	})

	page := func(f tenantry.DeliveryFilter) []string {
		var ids []string
		update(t, s, func(tx tenantry.Tx) error {
			got, err := tx.WebhookDeliveries(ctx, f)
			for _, d := range got {
				ids = append(ids, d.ID)
			}
			return err
		})
		return ids
	}
	later := enqueue(top, "grant.create")
	if got := page(tenantry.DeliveryFilter{EndpointID: top.ID, Limit: 1}); len(got) != 1 || got[0] != later.ID {
		t.Fatalf("newest first: %v", got)
	}
	if got := page(tenantry.DeliveryFilter{EndpointID: top.ID, Before: later.ID, Limit: 5}); len(got) != 1 || got[0] != first.ID {
		t.Fatalf("the next page: %v", got)
	}
	if got := page(tenantry.DeliveryFilter{EndpointID: top.ID, State: "pending", Limit: 5}); len(got) != 1 || got[0] != later.ID {
		t.Fatalf("pending: %v", got)
	}
	if got := page(tenantry.DeliveryFilter{EndpointID: top.ID, State: "delivered", Limit: 5}); len(got) != 1 || got[0] != first.ID {
		t.Fatalf("delivered: %v", got)
	}

	clock.Advance(48 * time.Hour)
	update(t, s, func(tx tenantry.Tx) error {
		n, err := tx.DeleteWebhookDeliveriesBefore(ctx, tx.Now().Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("swept %d finished deliveries, want the delivered one: %v", n, err)
		}
		if err := tx.DeleteWebhookEndpoint(ctx, off.ID); err != nil {
			return err
		}
		if _, err := tx.WebhookDelivery(ctx, waiting.ID); tenantry.ErrorCode(err) != tenantry.NotFound {
			t.Fatalf("a removed endpoint's delivery remains: %v", err)
		}
		if err := tx.DeleteWebhookEndpoint(ctx, off.ID); tenantry.ErrorCode(err) != tenantry.NotFound {
			t.Fatalf("removed twice: %v", err)
		}
		return nil
	})
}
