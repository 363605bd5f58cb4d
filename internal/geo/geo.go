// Package geo names the place an IP address is at, from a database in
// MaxMind's format (.mmdb: GeoLite2 or DB-IP, City or Country) that the
// operator provides; Tenantry ships none. It shows people where their
// sessions were started (issue 17, item 8).
package geo

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// DB reads one database. A nil *DB knows no places. It is safe for
// concurrent use.
type DB struct {
	r *maxminddb.Reader
}

// Open maps the database at path (read-only); Close lets it go.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geo: %s: %w", path, err)
	}
	return &DB{r: r}, nil
}

// Close unmaps the database.
func (d *DB) Close() error {
	if d == nil {
		return nil
	}
	return d.r.Close()
}

// Place is where an address is: the names of its city (in a City
// database) and country, by language code ("en", "de", "fr", …).
type Place struct {
	City, Country map[string]string
}

// record is the part of a City or Country record a Place reads.
type record struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
}

// Lookup returns the place of addr (an IP address, as sessions store
// it). Private, loopback and unknown addresses, and a nil DB, have none.
func (d *DB) Lookup(addr string) (Place, bool) {
	if d == nil {
		return Place{}, false
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
		return Place{}, false
	}
	var rec record
	res := d.r.Lookup(ip.Unmap())
	if !res.Found() || res.Decode(&rec) != nil || len(rec.Country.Names) == 0 {
		return Place{}, false
	}
	return Place{City: rec.City.Names, Country: rec.Country.Names}, true
}

// Name is the place in lang, English where the database has no name in
// it: "Berlin, Germany", "Berlin, Allemagne", or the country alone.
func (p Place) Name(lang string) string {
	pick := func(names map[string]string) string {
		if n := names[lang]; n != "" {
			return n
		}
		return names["en"]
	}
	var parts []string
	for _, n := range []string{pick(p.City), pick(p.Country)} {
		if n != "" {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, ", ")
}
