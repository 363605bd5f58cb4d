// Package seal encrypts the secrets Tenantry must be able to read back
// (TOTP secrets, token signing keys, the client-secret pepper) before they
// go into the database, with a key that is kept outside it. A copy of the
// database alone then yields none of them. XChaCha20-Poly1305 with a
// random nonce per value; each value is bound to what it is (its context),
// so a sealed value moved to another row does not open.
package seal

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the length of a key in bytes.
const KeySize = chacha20poly1305.KeySize

// prefix marks a sealed value, with the format's version.
const prefix = "sealed:v1:"

// ErrOpen is a sealed value that does not open with this key.
var ErrOpen = errors.New("seal: the value does not open with this secret key (is --secret-key-file the one this database was sealed with?)")

// Sealer seals and opens values with one key.
type Sealer struct {
	key []byte
}

// New returns a Sealer for a key of KeySize bytes.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: the secret key has %d bytes, want %d", len(key), KeySize)
	}
	return &Sealer{key: append([]byte(nil), key...)}, nil
}

// Seal returns plain encrypted and bound to context, as text.
func (s *Sealer) Seal(context, plain string) string {
	aead, _ := chacha20poly1305.NewX(s.key)
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(nonce)
	return prefix + base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), []byte(context)))
}

// Open returns the plain text of a value sealed for context. A value that
// was never sealed (stored before sealing began) is returned as it is;
// Sealed tells them apart.
func (s *Sealer) Open(context, stored string) (string, error) {
	if !Sealed(stored) {
		return stored, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(stored, prefix))
	aead, _ := chacha20poly1305.NewX(s.key)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", ErrOpen
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(context))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// Sealed reports whether a stored value is sealed.
func Sealed(stored string) bool { return strings.HasPrefix(stored, prefix) }

// NewKey returns a random key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// EncodeKey is a key as it is kept in a file or a variable: base64.
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// DecodeKey reads a key in EncodeKey's form.
func DecodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != KeySize {
		return nil, fmt.Errorf("seal: a secret key is %d bytes in base64 (make one with: head -c %d /dev/urandom | base64)", KeySize, KeySize)
	}
	return k, nil
}

// LoadKeyFile reads the key in path; with create, a missing file is made
// with a new key, readable by its owner only, and created says so.
func LoadKeyFile(path string, create bool) (key []byte, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		k := NewKey()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("seal: create %s: %w", path, err)
		}
		_, werr := f.WriteString(EncodeKey(k) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, false, fmt.Errorf("seal: write %s: %w", path, werr)
		}
		return k, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("seal: read the secret key: %w", err)
	}
	k, err := DecodeKey(string(b))
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	return k, false, nil
}
