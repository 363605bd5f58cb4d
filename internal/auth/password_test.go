package auth

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h := HashPassword("correct horse battery staple", DefaultParams)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=7168,t=5,p=1$") {
		t.Fatalf("hash %q does not record the parameters", h)
	}
	if ok, err := CheckPassword(h, "correct horse battery staple"); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _ := CheckPassword(h, "correct horse battery stapler"); ok {
		t.Fatal("wrong password accepted")
	}
	if h2 := HashPassword("correct horse battery staple", DefaultParams); h2 == h {
		t.Fatal("two hashes share a salt")
	}
	if _, err := CheckPassword("$bcrypt$x", "x"); err != ErrMalformedHash {
		t.Fatalf("malformed hash: %v", err)
	}
	if ok, _ := CheckPassword("", ""); ok {
		t.Fatal("empty hash matched")
	}
}

func TestNeedsRehash(t *testing.T) {
	cheap := Params{Memory: 64, Time: 1, Threads: 1}
	h := HashPassword("correct horse battery staple", cheap)
	if NeedsRehash(h, cheap) {
		t.Errorf("a hash made with %+v needs rehashing with the same", cheap)
	}
	if !NeedsRehash(h, DefaultParams) || !NeedsRehash(dummyHash, cheap) {
		t.Error("a hash made with other parameters does not need rehashing")
	}
	if NeedsRehash("", DefaultParams) || NeedsRehash("$bcrypt$x", DefaultParams) {
		t.Error("an empty or malformed hash needs rehashing")
	}
}

func TestValidatePassword(t *testing.T) {
	cases := map[string]string{
		"short":                       "at least 12",
		"äöüßäöüßäöüß":                "Repeats like aaa", // 12 code points, 24 bytes, 4 distinct
		"ölbäume wachsen im fjord":    "",                 // code points, not bytes, count
		strings.Repeat("x", 1025):     "at most 1024",
		"my-ada@example.com-secret":   "must not contain",
		"a perfectly fine passphrase": "",
		"password1234":                "too easy to guess. It is close to a commonly used password.",
		"lovelace1815!":               "It contains your name",
		"analytical engines!":         "It contains your name", // the organization
	}
	for pw, want := range cases {
		got := ValidatePassword(pw, 0, Person{Login: "ada", Email: "ada@example.com", Words: []string{"Ada", "Lovelace", "Analytical Engines"}}).String()
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("ValidatePassword(%.20q) = %q, want %q", pw, got, want)
		}
	}
}

func TestTokensAreRandomAndHashed(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || len(a) != 43 || ha == a || HashToken(a) != ha {
		t.Fatalf("tokens %q %q hash %q", a, b, ha)
	}
}

func TestPasswordPolicyVectors(t *testing.T) {
	cases := []struct {
		pw   string
		want string
	}{
		{strings.Repeat("a", 7), "at least 12"},
		{"abcdefghijk", "at least 12"},
		{"abcdefghijkl", "Sequences like abc"},
		{"crisp autumn harbour", ""},
		{strings.Repeat("xy", 32), "Repeats like aaa"},
		{strings.Repeat("z", 1024), "Repeats like aaa"},
		{strings.Repeat("z", 1025), "at most 1024"},
		{"🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑", "at least 12"}, // 11 code points, 44 bytes
		{"🔑🐙🌵🔑🎻🧲🔑🪁🐙🌵🧲🎻", ""},
		{"            ", "too easy"}, // spaces are characters like any other, and repeat
		{"qwerty123456", "most common"},
		{"QWERTY123456", "most common"},
		{"q1w2e3r4t5y6", "most common"},
		{"asdfghjkl;'#", "Rows of keys"},
		{"19.04.1987!!", "Dates and years"},
		{"Sunshine!2024", "too easy"},
	}
	for _, c := range cases {
		got := ValidatePassword(c.pw, 0, Person{}).String()
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("ValidatePassword(%.20q) = %q, want %q", c.pw, got, c.want)
		}
	}
}

func TestThrottleSlowsDownThenLocks(t *testing.T) {
	p := Throttle{Limit: 4, Base: time.Second, Max: 3 * time.Second, LockFor: time.Hour}
	now := time.Unix(1000, 0)
	var c Count
	var waits []time.Duration
	for i := 0; i < 4; i++ {
		var ok bool
		c, _, ok = p.Reserve(c, now)
		if !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		c = p.Fail(c, now)
		waits = append(waits, c.NextAt.Sub(now))
		if _, retry, ok := p.Reserve(c, now); ok || retry != c.NextAt.Sub(now) {
			t.Fatalf("attempt during the wait allowed (%v)", retry)
		}
		now = c.NextAt
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, time.Hour}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if c, _, ok := p.Reserve(c, now); !ok || c.Failures != 1 {
		t.Fatalf("after the lock: %d %v", c.Failures, ok)
	}
}

func TestThrottleSlotsAreNoWait(t *testing.T) {
	p := DefaultThrottle
	now := time.Unix(1000, 0)
	var c Count
	for i := 0; i < 4; i++ { // four correct attempts at once
		var ok bool
		if c, _, ok = p.Reserve(c, now); !ok {
			t.Fatalf("concurrent attempt %d refused", i+1)
		}
	}
	for i := 0; i < 4; i++ {
		c = p.GiveBack(c)
	}
	if c.Failures != 0 || !c.NextAt.IsZero() {
		t.Fatalf("after four successes: %+v", c)
	}
}

func TestThrottleWindowForgets(t *testing.T) {
	p := Throttle{Limit: 3, LockFor: time.Hour, Window: time.Minute}
	now := time.Unix(1000, 0)
	var c Count
	c, _, _ = p.Reserve(c, now)
	c, _, _ = p.Reserve(c, now)
	if c, _, _ = p.Reserve(c, now.Add(2*time.Minute)); c.Failures != 1 {
		t.Fatalf("failures older than the window still count: %d", c.Failures)
	}
}

func TestTOTPAcceptsOneStepOfDrift(t *testing.T) {
	e, err := NewTOTP("Tenantry", "ada@example.com")
	if err != nil || !strings.HasPrefix(e.URI, "otpauth://totp/Tenantry:ada@example.com?") || len(e.QRCode) < 100 {
		t.Fatalf("enrolment %v %v", e, err)
	}
	now := time.Unix(1_800_000_000, 0)
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		if _, ok := CheckTOTP(e.Secret, TOTPCode(e.Secret, now.Add(d)), now); !ok {
			t.Errorf("drift %v refused", d)
		}
	}
	if _, ok := CheckTOTP(e.Secret, TOTPCode(e.Secret, now.Add(-90*time.Second)), now); ok {
		t.Error("a code three steps old accepted")
	}
	codes, hashes := NewRecoveryCodes(10)
	if len(codes) != 10 || len(codes[0]) != 19 || HashRecoveryCode(strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))) != hashes[0] {
		t.Fatalf("recovery codes %v", codes)
	}
}

// BenchmarkCheckPassword is one password check with DefaultParams and
// with OWASP's 19 MiB, 2 passes (the defaults before): CPU per check and,
// as B/op, the memory each one holds while it runs.
func BenchmarkCheckPassword(b *testing.B) {
	for _, c := range []struct {
		name string
		p    Params
	}{{"default", DefaultParams}, {"19MiB-t2", Params{Memory: 19 * 1024, Time: 2, Threads: 1}}} {
		b.Run(c.name, func(b *testing.B) {
			h := HashPassword("correct horse battery staple", c.p)
			b.ReportAllocs()
			for b.Loop() {
				CheckPassword(h, "correct horse battery staple")
			}
		})
	}
}

// BenchmarkPasswordStrength is the cost of one strength estimate (the
// live meter calls it on every pause in typing): a passphrase, a weak
// password with personal words, and a 1,024-character one (read up to
// its first 100 characters).
func BenchmarkPasswordStrength(b *testing.B) {
	words := []string{"ada", "ada@example.com", "Ada", "Lovelace", "Analytical Engines"}
	for _, c := range []struct{ name, pw string }{
		{"passphrase", "a long enough test passphrase"},
		{"weak", "lovelace1815!"},
		{"long", strings.Repeat("correct horse ", 74)[:1024]},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				PasswordStrength(c.pw, words...)
			}
		})
	}
}

// TestEveryWarningReads: each warning ends a sentence and the too-easy
// message reads as one, so that each can be translated whole.
func TestEveryWarningReads(t *testing.T) {
	for _, w := range []string{WarnCommon, WarnPersonal, WarnRepeat, WarnSequence, WarnKeyboard, WarnDate, WarnWord, WarnShort} {
		if !strings.HasSuffix(w, ".") || !strings.HasPrefix(TooEasy(w), "is too easy to guess. "+w+" Add") {
			t.Errorf("warning %q reads as %q", w, TooEasy(w))
		}
	}
}

// TestTOTPEnrolmentOfASecretIsTheSame: the QR code shown again after a
// wrong code is the one first shown.
func TestTOTPEnrolmentOfASecretIsTheSame(t *testing.T) {
	e, err := NewTOTP("Tenantry", "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	again, err := TOTPEnrolmentOf("Tenantry", "ada@example.com", e.Secret)
	if err != nil || again.Secret != e.Secret || again.URI != e.URI || !bytes.Equal(again.QRCode, e.QRCode) {
		t.Fatalf("again: %+v %v, first %+v", again, err, e)
	}
}

// TestDummyHashUsesTheDefaultParams: the hash an unknown login is checked
// against costs what a real one does.
func TestDummyHashUsesTheDefaultParams(t *testing.T) {
	want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", DefaultParams.Memory, DefaultParams.Time, DefaultParams.Threads)
	if !strings.HasPrefix(dummyHash, want) {
		t.Fatalf("dummyHash %s, want params %s", dummyHash, want)
	}
	if ok, err := CheckPassword(dummyHash, "not a real password, only for timing"); !ok || err != nil {
		t.Fatalf("dummyHash does not check: %v %v", ok, err)
	}
}
