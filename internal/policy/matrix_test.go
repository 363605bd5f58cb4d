package policy

import (
	"bufio"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// TestEveryCatalogueCellIsEnforced is generated from the catalogue files:
// it reads each matrix row again, on its own, and asks the loaded policy
// about every cell, so a changed cell changes what Tenantry enforces and
// this test follows it; a cell the policy disagrees with fails by file and
// line. A grant in one org allows nothing in another.
func TestEveryCatalogueCellIsEnforced(t *testing.T) {
	p := Default()
	files, err := fs.Glob(catalogueFiles, "catalogues/*.txt")
	if err != nil || len(files) < 5 {
		t.Fatalf("catalogue files: %v %v", files, err)
	}
	cells := 0
	for _, file := range files {
		b, _ := fs.ReadFile(catalogueFiles, file)
		var roles []string
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for line := 1; sc.Scan(); line++ {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 0 || strings.HasPrefix(f[0], "#"):
			case f[0] == "roles":
				roles = f[1:]
			case strings.Contains(f[0], ".") && len(f) == len(roles)+1:
				for i, cell := range f[1:] {
					r, ok := p.Role(roles[i])
					if !ok {
						t.Fatalf("%s:%d: role %s not loaded", file, line, roles[i])
					}
					want := cell == "x"
					who := &Principal{ID: "u", Grants: []Grant{{Org: "o1", Role: r}}}
					var got, elsewhere bool
					if target, isAdmin := strings.CutPrefix(f[0], "users.administer_"); isAdmin && target != "own_user" {
						tr, _ := p.Role(target)
						got = p.CanAdminister(who, TargetUser{ID: "x", Org: "o1", Roles: []Role{tr}})
						elsewhere = p.CanAdminister(who, TargetUser{ID: "x", Org: "o2", Roles: []Role{tr}})
					} else {
						act, ok := p.LookupAction(f[0])
						if !ok {
							t.Fatalf("%s:%d: action %s not loaded", file, line, f[0])
						}
						got = p.Allowed(who, act, Target{Org: "o1"})
						elsewhere = p.Allowed(who, act, Target{Org: "o2"})
					}
					if got != want || elsewhere {
						t.Errorf("%s:%d: %s may %s: got %v (in another org %v), the file says %q", file, line, roles[i], f[0], got, elsewhere, cell)
					}
					cells++
				}
			}
		}
	}
	if cells < 600 {
		t.Fatalf("only %d cells checked", cells)
	}
}

// TestCatalogueErrorsNameFileAndLine: a catalogue directory with a mistake
// is refused at start with the file and line at fault.
func TestCatalogueErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"catalogue shop\nroles clerk\norders.see_al x\n", "shop.txt:3: unknown action \"orders.see_al\""},
		{"catalogue shop\nroles clerk\nareas sims\n", "shop.txt:3: area \"sims\" is Tenantry's own"},
		{"catalogue shop\nroles owner\n", "shop.txt:2: role \"owner\" is defined in catalogue 1nce already"},
		{"catalogue shop\nroles clerk\nareas shelves\nshelves.stock x .\n", "shop.txt:4: row shelves.stock has 2 cells"},
		{"catalogue shop\nroles clerk\nareas shelves\nshelves.stock x\n", "catalogue shop has no \"account-owner ROLE\" line"},
		{"catalogue 1nce\nroles clerk\n", "shop.txt:1: catalogue 1nce is defined in catalogues/1nce.txt already"},
		{"catalogue shop\nroles clerk\naccount-owner boss\n", "shop.txt:3: unknown role \"boss\""},
		{"catalogue shop\nroles clerk\nservice tills: tills\naccount-owner clerk\n", "shop.txt:3: unknown area \"tills\""},
	} {
		dir := t.TempDir()
		writeFile(t, dir+"/shop.txt", tc.text)
		_, err := LoadDir(dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.text, err, tc.want)
		}
	}
	dir := t.TempDir()
	writeFile(t, dir+"/shop.txt", "catalogue shop\nroles clerk\nareas shelves\nshelves.stock x\naccount-owner clerk\n")
	p, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	clerk, _ := p.Role("clerk")
	stock, ok := p.LookupAction("shelves.stock")
	if !ok || !p.Allowed(&Principal{Grants: []Grant{{Org: "o", Role: clerk}}}, stock, Target{Org: "o"}) {
		t.Fatal("a catalogue from --catalogue-dir must be enforced")
	}
	if got := p.Catalogues(); got[len(got)-1] != "shop" {
		t.Fatalf("catalogues: %v", got)
	}
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
