package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/tenantry"
)

func testOutbox(t *testing.T, s tenantry.Store, clock *Clock) {
	enqueue := func(key string) {
		update(t, s, func(tx tenantry.Tx) error {
			return tx.EnqueueMail(ctx, &tenantry.Mail{Key: key, To: "a@example.com", Subject: "s " + key, Text: "t", HTML: "<p>t</p>"})
		})
	}
	enqueue("k1")
	enqueue("k1") // idempotent
	enqueue("k2")
	var claimed []*tenantry.Mail
	update(t, s, func(tx tenantry.Tx) error {
		var err error
		claimed, err = tx.ClaimMail(ctx, 10, tx.Now().Add(time.Minute))
		return err
	})
	if len(claimed) != 2 || claimed[0].Attempts != 1 || claimed[0].HTML != "<p>t</p>" {
		t.Fatalf("claimed %+v", claimed)
	}
	// Leased messages are not claimed again until the lease ends.
	update(t, s, func(tx tenantry.Tx) error {
		again, err := tx.ClaimMail(ctx, 10, tx.Now().Add(time.Minute))
		if len(again) != 0 {
			t.Fatalf("claimed twice: %d", len(again))
		}
		return err
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.MailSent(ctx, claimed[0].ID) })
	update(t, s, func(tx tenantry.Tx) error {
		return tx.MailFailed(ctx, claimed[1].ID, "451 try later", tx.Now().Add(time.Hour))
	})
	clock.Advance(2 * time.Minute)
	update(t, s, func(tx tenantry.Tx) error {
		again, err := tx.ClaimMail(ctx, 10, tx.Now().Add(time.Minute))
		if len(again) != 0 {
			t.Fatalf("claimed before its retry time: %+v", again)
		}
		return err
	})
	clock.Advance(time.Hour)
	update(t, s, func(tx tenantry.Tx) error {
		again, err := tx.ClaimMail(ctx, 10, tx.Now().Add(time.Minute))
		if err != nil || len(again) != 1 || again[0].Attempts != 2 || again[0].LastError != "451 try later" {
			t.Fatalf("retry claim: %+v %v", again, err)
		}
		return tx.MailFailed(ctx, again[0].ID, "550 no such user", time.Time{})
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		all, err := tx.Outbox(ctx, 10)
		if err != nil || len(all) != 2 {
			t.Fatalf("outbox: %v %v", all, err)
		}
		for _, m := range all {
			if m.Key == "k1" && m.SentAt.IsZero() || m.Key == "k2" && m.FailedAt.IsZero() {
				t.Fatalf("outcome not recorded: %+v", m)
			}
		}
		return nil
	})
}

func testOutboxConcurrentClaims(t *testing.T, s tenantry.Store, _ *Clock) {
	update(t, s, func(tx tenantry.Tx) error {
		for i := 0; i < 40; i++ {
			if err := tx.EnqueueMail(ctx, &tenantry.Mail{Key: fmt.Sprint(i), To: "a@example.com", Subject: "s", Text: "t"}); err != nil {
				return err
			}
		}
		return nil
	})
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var got []*tenantry.Mail
				err := s.Update(ctx, func(tx tenantry.Tx) error {
					var err error
					got, err = tx.ClaimMail(ctx, 3, tx.Now().Add(time.Hour))
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Fatalf("%d messages claimed, want 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s claimed %d times", id, n)
		}
	}
}

func testMailbox(t *testing.T, s tenantry.Store, _ *Clock) {
	update(t, s, func(tx tenantry.Tx) error {
		return tx.DeliverToMailbox(ctx, &tenantry.Mail{ID: "o1", To: "a@example.com", Subject: "Hello", Text: "body", HTML: "<p>body</p>"})
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		box, err := tx.Mailbox(ctx, 10)
		if err != nil || len(box) != 1 || box[0].Subject != "Hello" {
			t.Fatalf("mailbox: %v %v", box, err)
		}
		m, err := tx.MailboxMessage(ctx, box[0].ID[:8])
		if err != nil || m.Text != "body" {
			t.Fatalf("by prefix: %v %v", m, err)
		}
		_, err = tx.MailboxMessage(ctx, "zzz")
		wantCode(t, err, tenantry.NotFound)
		return nil
	})
	// Trimmed to the newest few.
	update(t, s, func(tx tenantry.Tx) error {
		for i := range 5 {
			if err := tx.DeliverToMailbox(ctx, &tenantry.Mail{ID: fmt.Sprint("o", i+2), To: "a@example.com", Subject: fmt.Sprint("No ", i+2)}); err != nil {
				return err
			}
		}
		if n, err := tx.TrimMailbox(ctx, 3); err != nil || n != 3 {
			t.Fatalf("trimmed %d: %v", n, err)
		}
		box, err := tx.Mailbox(ctx, 10)
		if err != nil || len(box) != 3 || box[0].Subject != "No 6" || box[2].Subject != "No 4" {
			t.Fatalf("after trimming: %v %v", box, err)
		}
		if n, err := tx.TrimMailbox(ctx, 3); err != nil || n != 0 {
			t.Fatalf("trimmed again %d: %v", n, err)
		}
		return nil
	})
}

func testTOTP(t *testing.T, s tenantry.Store, _ *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	update(t, s, func(tx tenantry.Tx) error {
		if err := tx.PutTOTP(ctx, &tenantry.TOTP{UserID: u.ID, Secret: "S1"}); err != nil {
			return err
		}
		return tx.PutTOTP(ctx, &tenantry.TOTP{UserID: u.ID, Secret: "S2", Confirmed: true})
	})
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(tx tenantry.Tx) error { return tx.UseTOTPStep(ctx, u.ID, 1000) })
			if err == nil {
				ok.Add(1)
			} else if tenantry.ErrorCode(err) == tenantry.Conflict {
				refused.Add(1)
			} else {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || refused.Load() != 19 {
		t.Fatalf("step 1000 accepted %d times", ok.Load())
	}
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.UseTOTPStep(ctx, u.ID, 999) }), tenantry.Conflict)
	update(t, s, func(tx tenantry.Tx) error { return tx.ReplaceRecoveryCodes(ctx, u.ID, []string{"h1", "h2"}) })
	update(t, s, func(tx tenantry.Tx) error { return tx.UseRecoveryCode(ctx, u.ID, "h1") })
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.UseRecoveryCode(ctx, u.ID, "h1") }), tenantry.NotFound)
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.TOTP(ctx, u.ID)
		n, _ := tx.RecoveryCodesLeft(ctx, u.ID)
		if err != nil || got.Secret != "S2" || !got.Confirmed || got.LastStep != 1000 || n != 1 {
			t.Fatalf("totp %+v, %d codes left, %v", got, n, err)
		}
		return nil
	})
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteTOTP(ctx, u.ID) })
	wantCode(t, s.View(ctx, func(tx tenantry.Tx) error { _, err := tx.TOTP(ctx, u.ID); return err }), tenantry.NotFound)
}

func testThrottleCountsEveryConcurrentFailure(t *testing.T, s tenantry.Store, clock *Clock) {
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(tx tenantry.Tx) error {
				th, err := tx.LockThrottle(ctx, "login:a")
				if err != nil {
					return err
				}
				th.Failures++
				th.NextAt = tx.Now()
				return tx.PutThrottle(ctx, th)
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s.Update(ctx, func(tx tenantry.Tx) error {
		th, err := tx.LockThrottle(ctx, "login:a")
		if err != nil || th.Failures != 30 || !th.NextAt.Equal(clock.Now()) {
			t.Fatalf("throttle %+v %v", th, err)
		}
		return tx.DeleteThrottle(ctx, "login:a")
	})
	// The last attempt's time is kept; a prefix forgets one login's keys
	// and no other's.
	update(t, s, func(tx tenantry.Tx) error {
		for _, k := range []string{"pair:a\t1.2.3.4", "pair:a\t::1", "pair:ab\t1.2.3.4"} {
			th, err := tx.LockThrottle(ctx, k)
			if err != nil {
				return err
			}
			th.Failures, th.LastAt = 3, clock.Now()
			if err := tx.PutThrottle(ctx, th); err != nil {
				return err
			}
		}
		return tx.DeleteThrottlePrefix(ctx, "pair:a\t")
	})
	update(t, s, func(tx tenantry.Tx) error {
		for k, want := range map[string]int{"pair:a\t1.2.3.4": 0, "pair:a\t::1": 0, "pair:ab\t1.2.3.4": 3} {
			th, err := tx.LockThrottle(ctx, k)
			if err != nil || th.Failures != want || (want > 0 && !th.LastAt.Equal(clock.Now())) {
				t.Fatalf("%q: %+v %v", k, th, err)
			}
		}
		return nil
	})
}

func testInvitations(t *testing.T, s tenantry.Store, clock *Clock) {
	a, b := mustAccount(t, s, "1"), mustAccount(t, s, "2")
	u := mustUser(t, s, b.ID, "A", "B")
	inv := &tenantry.Invitation{ID: newID(), OrgID: a.ID, UserID: u.ID, Email: u.Email, Roles: []string{"user", "read_only"},
		TokenHash: "th", Status: tenantry.InvitationPending, ExpiresAt: clock.Now().Add(time.Hour), CreatedBy: "x"}
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateInvitation(ctx, inv) })
	dup := *inv
	dup.ID, dup.TokenHash = newID(), "th2"
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.CreateInvitation(ctx, &dup) }), tenantry.Conflict)
	inv.Status = tenantry.InvitationAccepted
	update(t, s, func(tx tenantry.Tx) error { return tx.UpdateInvitation(ctx, inv) })
	update(t, s, func(tx tenantry.Tx) error { return tx.CreateInvitation(ctx, &dup) }) // none pending now
	s.View(ctx, func(tx tenantry.Tx) error {
		got, err := tx.InvitationByToken(ctx, "th")
		if err != nil || got.Status != tenantry.InvitationAccepted || len(got.Roles) != 2 || got.Roles[1] != "read_only" {
			t.Fatalf("invitation %+v %v", got, err)
		}
		list, err := tx.OrgInvitations(ctx, a.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("org invitations %v %v", list, err)
		}
		none, _ := tx.OrgInvitations(ctx, b.ID)
		if len(none) != 0 {
			t.Fatal("account B sees account A's invitations")
		}
		return nil
	})
}

func testSessionIDs(t *testing.T, s tenantry.Store, clock *Clock) {
	acc := mustAccount(t, s, "1")
	u := mustUser(t, s, acc.ID, "A", "B")
	other := mustUser(t, s, acc.ID, "C", "D")
	var sessions []*tenantry.Session
	update(t, s, func(tx tenantry.Tx) error {
		for i, h := range []string{"h1", "h2", "h3"} {
			se := &tenantry.Session{Hash: h, UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour), PendingMFA: i == 0}
			if err := tx.CreateSession(ctx, se); err != nil {
				return err
			}
			sessions = append(sessions, se)
		}
		return nil
	})
	wantCode(t, s.Update(ctx, func(tx tenantry.Tx) error { return tx.DeleteSessionByID(ctx, other.ID, sessions[1].ID) }), tenantry.NotFound)
	update(t, s, func(tx tenantry.Tx) error { return tx.CompleteMFA(ctx, "h1") })
	update(t, s, func(tx tenantry.Tx) error { return tx.DeleteSessionByID(ctx, u.ID, sessions[1].ID) })
	update(t, s, func(tx tenantry.Tx) error {
		if n, err := tx.DeleteOtherSessions(ctx, u.ID, "h1"); err != nil || n != 1 {
			t.Fatalf("removed %d other sessions (%v), want h3", n, err)
		}
		return nil
	})
	s.View(ctx, func(tx tenantry.Tx) error {
		list, err := tx.UserSessions(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].Hash != "h1" || list[0].PendingMFA || list[0].ID == "" {
			t.Fatalf("sessions %+v %v", list, err)
		}
		return nil
	})
}
