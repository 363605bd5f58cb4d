package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h := HashPassword("correct horse battery staple", DefaultParams)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
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

func TestValidatePassword(t *testing.T) {
	cases := map[string]string{
		"short":                       "at least 12",
		"ääääääääääää":                "", // 12 code points, 24 bytes
		strings.Repeat("x", 1025):     "at most 1024",
		"my-ada@example.com-secret":   "must not contain",
		"a perfectly fine passphrase": "",
	}
	for pw, want := range cases {
		got := ValidatePassword(pw, "ada@example.com")
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
