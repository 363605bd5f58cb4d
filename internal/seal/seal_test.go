package seal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealedValuesOpenOnlyWithTheirKeyAndContext(t *testing.T) {
	s, _ := New(NewKey())
	other, _ := New(NewKey())
	v := s.Seal("totp:u1", "JBSWY3DPEHPK3PXP")
	if !Sealed(v) || strings.Contains(v, "JBSWY3DPEHPK3PXP") {
		t.Fatalf("not sealed: %s", v)
	}
	if got, err := s.Open("totp:u1", v); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := s.Open("totp:u2", v); err != ErrOpen {
		t.Fatal("opened under another context")
	}
	if _, err := other.Open("totp:u1", v); err != ErrOpen {
		t.Fatal("opened with another key")
	}
	if got, _ := s.Open("x", "legacy plain"); got != "legacy plain" {
		t.Fatal("an unsealed value must read as it is")
	}
}

func TestKeyFileIsMadeOnceAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "secret.key")
	k1, created, err := LoadKeyFile(path, true)
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	k2, created, err := LoadKeyFile(path, true)
	if err != nil || created || string(k1) != string(k2) {
		t.Fatal("the key changed", created, err)
	}
	if _, _, err := LoadKeyFile(filepath.Join(t.TempDir(), "missing"), false); err == nil {
		t.Fatal("a missing key file must not be made without create")
	}
}
