package auth

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// MinStrength is the zxcvbn score a new password needs: 3 of 4, "safely
// unguessable" (about 10^10 guesses), what Dropbox's and many consoles'
// meters call good.
const MinStrength = 3

// strengthPrefix bounds how much of a password zxcvbn reads: its matching
// grows faster than the length, and what follows the first 64 characters
// only makes a password harder to guess, never easier. 64 characters of
// words are far past MinStrength unless they repeat, which shows early.
const strengthPrefix = 64

// Strength is how hard a password is to guess, by zxcvbn, with what makes
// it easy in words.
type Strength struct {
	// Score is 0 (guessed at once) to 4 (very hard to guess).
	Score int
	// Warning names the weakest part, one of the Warn constants; "" when
	// nothing stands out.
	Warning string
}

// The warnings a Strength gives, as sentences a person reads.
const (
	WarnCommon   = "It is close to a commonly used password."
	WarnPersonal = "It contains your name, login, e-mail address or organization."
	WarnRepeat   = "Repeats like aaa or abcabc are easy to guess."
	WarnSequence = "Sequences like abc or 6543 are easy to guess."
	WarnKeyboard = "Rows of keys like qwerty are easy to guess."
	WarnDate     = "Dates and years are easy to guess."
	WarnWord     = "Single words and names are easy to guess, also with numbers or symbols added."
	WarnShort    = "It is short for how little variety it has."
)

// StrongEnough is the advice for every password below MinStrength.
const StrongEnough = "Add another word or two; uncommon words are better."

// PasswordStrength estimates how hard password is to guess for a person
// whose own words (name, login, e-mail, organization) an attacker would
// try first.
func PasswordStrength(password string, words ...string) Strength {
	if !utf8.ValidString(password) {
		return Strength{}
	}
	if utf8.RuneCountInString(password) > strengthPrefix {
		password = string([]rune(password)[:strengthPrefix])
	}
	var inputs []string
	for _, w := range words {
		inputs = append(inputs, personalWords(w)...)
	}
	r := zxcvbn.PasswordStrength(password, inputs)
	s := Strength{Score: r.Score}
	if s.Score < MinStrength {
		s.Warning = warning(r.Sequence)
	}
	// The port's repeat matching reads bytes: "ääääääääääää" would score
	// 4. Few distinct characters are a repeat in any script.
	if distinct(password) < 5 && s.Score > 1 {
		s = Strength{Score: 1, Warning: WarnRepeat}
	}
	return s
}

// distinct counts the different code points of s, up to 5.
func distinct(s string) int {
	seen := make([]rune, 0, 5)
	for _, r := range s {
		if !slices.Contains(seen, r) {
			if seen = append(seen, r); len(seen) == 5 {
				break
			}
		}
	}
	return len(seen)
}

// personalWords splits a name, login or e-mail address into the words an
// attacker would try: the whole, and each part of three letters or more.
func personalWords(w string) []string {
	w = strings.ToLower(strings.TrimSpace(w))
	if w == "" {
		return nil
	}
	out := []string{w}
	for _, p := range strings.FieldsFunc(w, func(r rune) bool { return strings.ContainsRune(" @.-_+", r) }) {
		if utf8.RuneCountInString(p) >= 3 && p != w {
			out = append(out, p)
		}
	}
	return out
}

// warning says what in the guessed sequence makes the password easy: the
// person's own words whenever it used them, else the longest part that
// is not random.
func warning(seq []*match.Match) string {
	var worst *match.Match
	for _, m := range seq {
		if m.Pattern == "dictionary" && m.DictionaryName == "user_inputs" {
			return WarnPersonal
		}
		if m.Pattern == "bruteforce" {
			continue
		}
		if worst == nil || len(m.Token) > len(worst.Token) {
			worst = m
		}
	}
	if worst == nil {
		return WarnShort
	}
	switch worst.Pattern {
	case "dictionary":
		switch worst.DictionaryName {
		case "user_inputs":
			return WarnPersonal
		case "passwords":
			return WarnCommon
		}
		return WarnWord
	case "repeat":
		return WarnRepeat
	case "sequence":
		return WarnSequence
	case "spatial":
		return WarnKeyboard
	case "date", "regex":
		return WarnDate
	}
	return WarnShort
}
