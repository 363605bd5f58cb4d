// Package geotest writes small databases in MaxMind's format for tests,
// with github.com/maxmind/mmdbwriter, so that lookups are tested against a
// real .mmdb file.
package geotest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// City is one network's place: its city's and country's names by
// language.
type City struct {
	Network       string // a CIDR, e.g. "203.0.113.0/24"
	City, Country map[string]string
}

// Write makes a City database of cities in the test's temporary directory
// and returns its path.
func Write(t testing.TB, cities ...City) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", IncludeReservedNetworks: true,
		Languages: []string{"en", "de", "fr"}, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	names := func(m map[string]string) mmdbtype.Map {
		out := mmdbtype.Map{}
		for lang, n := range m {
			out[mmdbtype.String(lang)] = mmdbtype.String(n)
		}
		return out
	}
	for _, c := range cities {
		_, network, err := net.ParseCIDR(c.Network)
		if err != nil {
			t.Fatal(err)
		}
		rec := mmdbtype.Map{"country": mmdbtype.Map{"names": names(c.Country)}}
		if len(c.City) > 0 {
			rec["city"] = mmdbtype.Map{"names": names(c.City)}
		}
		if err := tree.Insert(network, rec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "cities.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return path
}
