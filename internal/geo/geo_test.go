package geo_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tenantry/tenantry/internal/geo"
	"github.com/tenantry/tenantry/internal/geo/geotest"
)

// TestPlacesAreNamedInTheReadersLanguage: an address in the database has
// its city and country in the language asked for, English where a name is
// missing; private, loopback and unknown addresses have no place, and
// neither has anything without a database.
func TestPlacesAreNamedInTheReadersLanguage(t *testing.T) {
	path := geotest.Write(t,
		geotest.City{Network: "203.0.113.0/24", City: map[string]string{"en": "Munich", "de": "München", "fr": "Munich"},
			Country: map[string]string{"en": "Germany", "de": "Deutschland", "fr": "Allemagne"}},
		geotest.City{Network: "2001:db8::/32", Country: map[string]string{"en": "France", "de": "Frankreich"}})
	db, err := geo.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct{ addr, lang, want string }{
		{"203.0.113.9", "en", "Munich, Germany"}, {"203.0.113.9", "de", "München, Deutschland"},
		{"203.0.113.9", "fr", "Munich, Allemagne"}, {"::ffff:203.0.113.9", "de", "München, Deutschland"},
		{"2001:db8::1", "fr", "France"}, {"2001:db8::1", "de", "Frankreich"},
	} {
		p, ok := db.Lookup(c.addr)
		if got := p.Name(c.lang); !ok || got != c.want {
			t.Errorf("%s in %s: %q, want %q", c.addr, c.lang, got, c.want)
		}
	}
	for _, addr := range []string{"127.0.0.1", "10.1.2.3", "192.168.0.1", "198.51.100.1", "not an address", ""} {
		if p, ok := db.Lookup(addr); ok {
			t.Errorf("%s has a place: %+v", addr, p)
		}
	}
	var none *geo.DB
	if _, ok := none.Lookup("203.0.113.9"); ok || none.Close() != nil {
		t.Error("a nil DB knows a place")
	}
	if _, err := geo.Open(t.TempDir() + "/missing.mmdb"); err == nil {
		t.Error("a missing file opens")
	}
}

// TestReloadReadsAReplacedFile: an update job writes a new database over
// the old one; Reload reads it when it changed (or when forced), lookups
// running meanwhile see one or the other, and a file that cannot be read
// leaves the one in use.
func TestReloadReadsAReplacedFile(t *testing.T) {
	munich := geotest.City{Network: "203.0.113.0/24", City: map[string]string{"en": "Munich"}, Country: map[string]string{"en": "Germany"}}
	paris := geotest.City{Network: "203.0.113.0/24", City: map[string]string{"en": "Paris"}, Country: map[string]string{"en": "France"}}
	path := geotest.Write(t, munich)
	db, err := geo.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := func() string { p, _ := db.Lookup("203.0.113.9"); return p.Name("en") }
	if read, err := db.Reload(false); read || err != nil || name() != "Munich, Germany" {
		t.Fatalf("an unchanged file is read again: %v %v %q", read, err, name())
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if n := name(); n != "Munich, Germany" && n != "Paris, France" {
					t.Errorf("a lookup during a reload: %q", n)
					return
				}
			}
		})
	}
	if err := os.Rename(geotest.Write(t, paris), path); err != nil {
		t.Fatal(err)
	}
	read, err := db.Reload(false)
	close(stop)
	wg.Wait()
	if !read || err != nil || name() != "Paris, France" {
		t.Fatalf("the replaced file: read %v, %v, %q", read, err, name())
	}
	if read, err := db.Reload(true); !read || err != nil || name() != "Paris, France" {
		t.Fatalf("a forced reload: %v %v", read, err)
	}
	broken := filepath.Join(t.TempDir(), "broken.mmdb")
	if err := os.WriteFile(broken, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(broken, path); err != nil {
		t.Fatal(err)
	}
	if read, err := db.Reload(false); read || err == nil || name() != "Paris, France" {
		t.Fatalf("a broken file: read %v, %v, and the lookups say %q", read, err, name())
	}
}
