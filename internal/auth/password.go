// Package auth holds Tenantry's credentials: argon2id password hashes,
// random one-time tokens and session secrets, stored only as hashes.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams are 7 MiB, 5 passes, 1 lane: one of the configurations
// OWASP's cheat sheet lists as equal in strength to its 19 MiB, 2 passes
// (they trade memory for passes), and Keycloak's default. A hash costs
// about the same CPU as with 19 MiB and holds a third of the memory, which
// is what bounds a server's peak under sign-in bursts (issue 16, item 4).
// Hashes made with other parameters still check, at their own cost, and
// are replaced at the next sign-in (NeedsRehash).
var DefaultParams = Params{Memory: 7 * 1024, Time: 5, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// HashPassword returns password's argon2id hash in PHC string format.
func HashPassword(password string, p Params) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$%s$%s$%s", argon2.Version, p.phc(), b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ErrMalformedHash means a stored hash is not an argon2id PHC string.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// CheckPassword reports whether password matches the PHC-format hash,
// comparing in constant time. An empty hash matches nothing.
func CheckPassword(hash, password string) (bool, error) {
	if hash == "" {
		return false, nil
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	var p Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether hash was made with parameters other than
// p, so that a sign-in which has just proved the password should store it
// again with p. A malformed hash does not need it: it never checks.
func NeedsRehash(hash string, p Params) bool {
	parts := strings.Split(hash, "$")
	return len(parts) == 6 && parts[1] == "argon2id" && parts[3] != p.phc()
}

// phc is the parameters' part of a PHC string.
func (p Params) phc() string { return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) }

// dummyHash is checked when a login is unknown, so that sign-in takes as
// long for a missing account as for a wrong password. It is a hash made
// once with DefaultParams and written here: hashing it at start cost
// its argon2 memory (19 MiB with the parameters of the time) and most of
// the start-up's peak RSS (issue 16, item 4). TestDummyHashUsesTheDefaultParams keeps the two in step.
const dummyHash = "$argon2id$v=19$m=7168,t=5,p=1$hPS+v9s83HLKtOZFQ/yUkw$rJhZQKXPlVSVf+yPST5XYaxFWDoqkps14qKYtAkeWx4"

// CheckDummy spends the time of one password check.
func CheckDummy(password string) { _, _ = CheckPassword(dummyHash, password) }

// Password length bounds, counted in Unicode code points.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// Person is whom a new password is for: it must not contain their login
// or e-mail address, and their words (names, organization) count against
// its strength, as an attacker would try them first.
type Person struct {
	Login, Email string
	Words        []string
}

// Problem is what is wrong with a password: an English format, the id of
// its translations, and the values that fill it in. Format is "" for no
// problem.
type Problem struct {
	Format string
	Args   []any
}

// String is the problem in English.
func (p Problem) String() string {
	if p.Args == nil {
		return p.Format
	}
	return fmt.Sprintf(p.Format, p.Args...)
}

// ValidatePassword returns what is wrong with a new password, or no
// Problem when it is acceptable: minLen (never below MinPasswordLen) to 1,024 code
// points, not one of the 10,000 most common passwords, not containing the
// person's login or e-mail, and at least MinStrength by zxcvbn with the
// person's words as the first guesses. There are no composition rules.
func ValidatePassword(password string, minLen int, p Person) Problem {
	n := utf8.RuneCountInString(password)
	minLen = max(minLen, MinPasswordLen)
	switch {
	case !utf8.ValidString(password):
		return Problem{Format: "is not valid UTF-8"}
	case n < minLen:
		return Problem{"must have at least %d characters", []any{minLen}}
	case n > MaxPasswordLen:
		return Problem{"must have at most %d characters", []any{MaxPasswordLen}}
	}
	lower := strings.ToLower(password)
	if IsCommonPassword(lower) {
		return Problem{Format: "is one of the 10,000 most common passwords; choose another"}
	}
	for _, a := range []string{p.Login, p.Email} {
		if len(a) >= 3 && strings.Contains(lower, strings.ToLower(a)) {
			return Problem{Format: "must not contain your login or e-mail address"}
		}
	}
	if s := PasswordStrength(password, append([]string{p.Login, p.Email}, p.Words...)...); s.Score < MinStrength {
		return Problem{Format: TooEasy(s.Warning)}
	}
	return Problem{}
}

// TooEasy is the message for a password below MinStrength with warning:
// one sentence per warning, each translated whole.
func TooEasy(warning string) string {
	return fmt.Sprintf("is too easy to guess. %s %s", warning, StrongEnough)
}

// NewToken returns a random 256-bit secret, URL-safe, and its hash for
// storage. Only the hash is ever stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the storage hash of a token. The tokens carry 256
// random bits, so a fast hash suffices: there is nothing to brute-force.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
