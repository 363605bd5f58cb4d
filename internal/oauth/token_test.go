package oauth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

func claims(now time.Time) Claims {
	return Claims{Claims: jwt.Claims{Issuer: "https://t.example", Subject: "u1", Audience: jwt.Audience{"https://t.example/api"},
		Expiry: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now), ID: "j1"},
		ClientID: "123_app", Org: "o1", Roles: []string{"api_user"}}
}

func TestSignVerifyAndEveryRefusal(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	k, _ := NewKey(now, time.Hour, time.Hour)
	other, _ := NewKey(now, time.Hour, time.Hour)
	tok, err := Sign(k, claims(now))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Verify(tok, Static(k), "https://t.example", "https://t.example/api", now)
	if err != nil || c.Subject != "u1" || c.ClientID != "123_app" || c.Roles[0] != "api_user" {
		t.Fatalf("verify: %+v %v", c, err)
	}
	parts := strings.Split(tok, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt","kid":"`+k.ID+`"}`)) + "." + parts[1] + "."
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin"}`)) + "." + parts[2]
	for name, c := range map[string]struct {
		tok  string
		keys KeySource
		aud  string
		at   time.Time
	}{
		"alg none":       {none, Static(k), "https://t.example/api", now},
		"forged claims":  {forged, Static(k), "https://t.example/api", now},
		"unknown key":    {tok, Static(other), "https://t.example/api", now},
		"wrong audience": {tok, Static(k), "https://elsewhere/api", now},
		"expired":        {tok, Static(k), "https://t.example/api", now.Add(2 * time.Minute)},
		"key expired":    {tok, Static(k), "https://t.example/api", now.Add(3 * time.Hour)},
		"garbage":        {"not.a.token", Static(k), "https://t.example/api", now},
	} {
		if _, err := Verify(c.tok, c.keys, "https://t.example", c.aud, c.at); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if set := JWKS([]*Key{k, other}, now); len(set.Keys) != 2 || set.Keys[0].KeyID != k.ID {
		t.Fatalf("jwks: %+v", set)
	}
}

func BenchmarkVerify(b *testing.B) {
	now := time.Now()
	k, _ := NewKey(now, time.Hour, time.Hour)
	tok, _ := Sign(k, claims(now))
	keys := Static(k)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(tok, keys, "https://t.example", "https://t.example/api", now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	now := time.Now()
	k, _ := NewKey(now, time.Hour, time.Hour)
	c := claims(now)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(k, c); err != nil {
			b.Fatal(err)
		}
	}
}
