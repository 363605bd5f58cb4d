// Package geo names the place an IP address is at, from a database in
// MaxMind's format (.mmdb: GeoLite2 or DB-IP, City or Country) that the
// operator provides; Tenantry ships none. It shows people where their
// sessions were started (issue 17, item 8).
package geo

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// DB reads one database, and reads it again when the file is replaced
// (Reload): the operator's update job (geoipupdate, weekly) writes a new
// file and renames it over the old one. The file is mapped, so it must be
// replaced that way, never written over in place. A nil *DB knows no
// places. It is safe for concurrent use.
type DB struct {
	path string
	mu   sync.RWMutex // held to read r, and to swap it
	r    *maxminddb.Reader
	at   fileStamp // of the file r was opened from
}

// fileStamp tells a file replaced from the one read before.
type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.ModTime(), fi.Size()}, nil
}

// Open maps the database at path (read-only); Close lets it go.
func Open(path string) (*DB, error) {
	d := &DB{path: path}
	if _, err := d.Reload(true); err != nil {
		return nil, err
	}
	return d, nil
}

// Reload reads the file again when it has changed since it was read (by
// its modification time and size), or always when forced, and answers
// whether it did. A file that cannot be read leaves the database in use
// as it was, and says why.
func (d *DB) Reload(force bool) (bool, error) {
	at, err := stampOf(d.path)
	if err != nil {
		return false, fmt.Errorf("geo: %w", err)
	}
	d.mu.RLock()
	same := d.r != nil && at == d.at
	d.mu.RUnlock()
	if same && !force {
		return false, nil
	}
	r, err := maxminddb.Open(d.path)
	if err != nil {
		return false, fmt.Errorf("geo: %s: %w", d.path, err)
	}
	d.mu.Lock()
	old := d.r
	d.r, d.at = r, at
	d.mu.Unlock()
	if old != nil {
		old.Close() // no lookup holds it: they hold the lock
	}
	return true, nil
}

// Close unmaps the database.
func (d *DB) Close() error {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.r == nil {
		return nil
	}
	err := d.r.Close()
	d.r = nil
	return err
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
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.r == nil {
		return Place{}, false
	}
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
