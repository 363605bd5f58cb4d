package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPPeriod is the length of one TOTP time step.
const TOTPPeriod = 30 * time.Second

// TOTPEnrolment is what a person needs to add Tenantry to an
// authenticator app.
type TOTPEnrolment struct {
	Secret string // base32
	URI    string // otpauth://
	QRCode []byte // PNG of URI
}

// NewTOTP creates a secret for account (the user's login) under issuer.
func NewTOTP(issuer, account string) (*TOTPEnrolment, error) {
	return enrolment(issuer, account, nil)
}

// TOTPEnrolmentOf is the enrolment of an existing base32 secret: the same
// QR code again, for a person who typed a wrong code on the way.
func TOTPEnrolmentOf(issuer, account, secret string) (*TOTPEnrolment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return nil, err
	}
	return enrolment(issuer, account, raw)
}

func enrolment(issuer, account string, secret []byte) (*TOTPEnrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: uint(TOTPPeriod.Seconds()),
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Secret: secret})
	if err != nil {
		return nil, err
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &TOTPEnrolment{Secret: key.Secret(), URI: key.URL(), QRCode: buf.Bytes()}, nil
}

// CheckTOTP returns the time step whose code matches, allowing one step of
// clock drift either way. The caller must accept each step once only.
func CheckTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / int64(TOTPPeriod.Seconds())
	for _, s := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*int64(TOTPPeriod.Seconds()), 0),
			totp.ValidateOpts{Period: uint(TOTPPeriod.Seconds()), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode returns the code of secret at t, for tests and tools.
func TOTPCode(secret string, t time.Time) string {
	code, _ := totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: uint(TOTPPeriod.Seconds()),
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return code
}

var recoveryAlphabet = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewRecoveryCodes returns n single-use codes of 80 random bits, written
// as four groups of four, with their storage hashes.
func NewRecoveryCodes(n int) (codes, hashes []string) {
	for i := 0; i < n; i++ {
		b := make([]byte, 10)
		rand.Read(b)
		s := recoveryAlphabet.EncodeToString(b) // 16 characters
		code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
		codes = append(codes, code)
		hashes = append(hashes, HashRecoveryCode(code))
	}
	return codes, hashes
}

// HashRecoveryCode hashes a recovery code as typed: case, spaces and
// dashes do not matter.
func HashRecoveryCode(code string) string {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(code))
	return HashToken("recovery:" + norm)
}
