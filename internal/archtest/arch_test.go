// Package archtest checks that packages import only in the directions
// ARCHITECTURE.md sets out.
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/tenantry/tenantry/internal/"

// forbidden lists, per package, imports it must never have. A trailing
// slash matches a whole tree.
var forbidden = map[string][]string{
	"tenantry": {"database/sql", "net/http", module},
	"policy":   {"database/sql", "net/http", module},
	"auth":     {"database/sql", "net/http", module},
	"app":      {"database/sql", "net/http", module + "sqlstore", module + "api", module + "server", module + "cli", module + "mail"},
	"api":      {"database/sql", module + "sqlstore", module + "cli"},
	"sqlstore": {"net/http", module + "app", module + "api", module + "server", module + "cli"},
	"mail":     {"database/sql", module + "sqlstore", module + "api"},
	"web":      {"database/sql", module + "sqlstore", module + "api", module + "cli"},
	"httpauth": {"database/sql", module + "sqlstore", module + "api", module + "web", module + "cli"},
	"httperr":  {"database/sql", module + "app", module + "sqlstore", module + "api", module + "web", module + "cli"},
	"server":   {"database/sql", module + "sqlstore", module + "cli"},
	"oidcrp":   {"database/sql", module},
	"egress":   {"database/sql", module},
}

// excepted lists, per package, imports its forbidden list would ban but
// it may have.
var excepted = map[string][]string{
	"oidcrp": {module + "egress"}, // identity providers are reached through its guarded client
}

func TestImportDirections(t *testing.T) {
	for pkg, banned := range forbidden {
		dir := filepath.Join("..", pkg)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("package %s: no files (%v)", pkg, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if slices.Contains(excepted[pkg], path) {
					continue
				}
				for _, b := range banned {
					if path == b || (strings.HasSuffix(b, "/") && strings.HasPrefix(path, b)) {
						t.Errorf("%s imports %s", file, path)
					}
				}
			}
		}
	}
}
