// Package policy decides who may do what. The role catalogues and their
// permission matrices are data (catalogues/*.txt, embedded); this package
// loads them and answers questions about them. It does no I/O.
package policy

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed catalogues/*.txt
var catalogueFiles embed.FS

// Role is a role's index in its Policy.
type Role uint8

// maxRoles bounds the roles of one Policy, so a role set fits a uint64.
const maxRoles = 64

type roleDef struct {
	name       string
	catalogue  string
	perms      actionSet
	administer uint64 // roles this role administers, as bits
	onCreate   uint64 // roles this role may give a user it creates
	peopleOnly bool   // machines (API users, service accounts) may not hold it
}

// Policy is a loaded set of role catalogues. It is immutable and safe for
// concurrent use.
type Policy struct {
	roles  []roleDef
	byName map[string]Role
	rows   map[string][]string // each catalogue's matrix rows, in file order
	// services maps catalogue and service name to the actions a grant
	// limited to that service allows at most.
	services map[string]map[string]actionSet
}

// Grant is a principal's role in one organization, as the policy sees it:
// the caller drops expired grants before asking.
type Grant struct {
	Org  string
	Role Role
	// Service, when set, limits the grant to that service's actions.
	Service string
}

// Principal is whoever acts: a person, an API client or an operator.
// A principal with a scope (an access token asked for one) may do only the
// actions in it, whatever its roles allow.
type Principal struct {
	ID     string
	Grants []Grant
	scoped bool
	scope  actionSet
}

// LimitTo narrows the principal to the given actions.
func (p *Principal) LimitTo(actions []Action) {
	p.scoped = true
	for _, a := range actions {
		p.scope.add(a)
	}
}

// Target is what an action is done to, named by the org that owns it.
type Target struct {
	Org string
}

// TargetUser is a user that someone wants to administer: the roles it
// holds in its org.
type TargetUser struct {
	ID           string
	Org          string
	Roles        []Role
	InitialOwner bool
}

// Default returns the policy of the embedded catalogues. It panics when
// they do not load, which a test rules out.
func Default() *Policy {
	p, err := Load(catalogueFiles)
	if err != nil {
		panic(err)
	}
	return p
}

// Load reads every catalogues/*.txt file of fsys into one Policy.
func Load(fsys fs.FS) (*Policy, error) {
	names, err := fs.Glob(fsys, "catalogues/*.txt")
	if err != nil {
		return nil, err
	}
	p := &Policy{byName: map[string]Role{}, rows: map[string][]string{}, services: map[string]map[string]actionSet{}}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := p.parse(name, string(b)); err != nil {
			return nil, err
		}
	}
	if len(p.roles) == 0 {
		return nil, fmt.Errorf("policy: no roles in %d catalogue files", len(names))
	}
	return p, nil
}

// parse reads one catalogue: a "catalogue NAME" line, a "roles ..." line,
// then matrix rows "area.action x . x ..." with one column per role,
// "assign-on-create ROLE: ROLE ..." lines, "people-only ROLE ..." lines
// and "service NAME: AREA ..." lines.
func (p *Policy) parse(file, text string) error {
	var catalogue string
	var cols []Role // the file's roles, in column order
	local := map[string]Role{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", file, line, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch {
		case f[0] == "catalogue":
			if len(f) != 2 || catalogue != "" {
				return fail("want one \"catalogue NAME\" line")
			}
			catalogue = f[1]
		case f[0] == "roles":
			if catalogue == "" || cols != nil {
				return fail("want one \"roles\" line after the catalogue line")
			}
			for _, name := range f[1:] {
				if _, dup := p.byName[name]; dup {
					return fail("role %q is defined twice", name)
				}
				if len(p.roles) == maxRoles {
					return fail("more than %d roles", maxRoles)
				}
				r := Role(len(p.roles))
				p.roles = append(p.roles, roleDef{name: name, catalogue: catalogue})
				p.byName[name] = r
				local[name] = r
				cols = append(cols, r)
			}
		case f[0] == "assign-on-create":
			if len(f) < 3 || !strings.HasSuffix(f[1], ":") {
				return fail("want \"assign-on-create ROLE: ROLE ...\"")
			}
			by, ok := local[strings.TrimSuffix(f[1], ":")]
			if !ok {
				return fail("unknown role %q", strings.TrimSuffix(f[1], ":"))
			}
			for _, name := range f[2:] {
				r, ok := local[name]
				if !ok {
					return fail("unknown role %q", name)
				}
				p.roles[by].onCreate |= 1 << r
			}
		case f[0] == "people-only":
			if len(f) < 2 {
				return fail("want \"people-only ROLE ...\"")
			}
			for _, name := range f[1:] {
				r, ok := local[name]
				if !ok {
					return fail("unknown role %q", name)
				}
				p.roles[r].peopleOnly = true
			}
		case f[0] == "service":
			if catalogue == "" || len(f) < 3 || !strings.HasSuffix(f[1], ":") {
				return fail("want \"service NAME: AREA ...\" after the catalogue line")
			}
			name := strings.TrimSuffix(f[1], ":")
			if p.services[catalogue] == nil {
				p.services[catalogue] = map[string]actionSet{}
			}
			if _, dup := p.services[catalogue][name]; dup {
				return fail("service %q is defined twice", name)
			}
			var set actionSet
			for _, area := range f[2:] {
				n := 0
				for i, an := range actionNames {
					if strings.HasPrefix(an, area+".") {
						set.add(Action(i))
						n++
					}
				}
				if n == 0 {
					return fail("unknown area %q", area)
				}
			}
			p.services[catalogue][name] = set
		default:
			if cols == nil {
				return fail("matrix row before the \"roles\" line")
			}
			if len(f) != len(cols)+1 {
				return fail("row %s has %d cells, want one per role (%d)", f[0], len(f)-1, len(cols))
			}
			if seen[f[0]] {
				return fail("row %s appears twice", f[0])
			}
			seen[f[0]] = true
			p.rows[catalogue] = append(p.rows[catalogue], f[0])
			admin, isAdmin := local[strings.TrimPrefix(f[0], "users.administer_")]
			act, isAction := ParseAction(f[0])
			if !isAction && !(isAdmin && strings.HasPrefix(f[0], "users.administer_")) {
				return fail("unknown action %q", f[0])
			}
			for i, cell := range f[1:] {
				var on bool
				switch cell {
				case "x":
					on = true
				case ".":
				default:
					return fail("cell %q in row %s: want x or .", cell, f[0])
				}
				if !on {
					continue
				}
				r := cols[i]
				if isAction {
					p.roles[r].perms.add(act)
				} else {
					p.roles[r].administer |= 1 << admin
				}
			}
		}
	}
	if catalogue == "" || cols == nil {
		return fmt.Errorf("%s: missing catalogue or roles line", file)
	}
	return sc.Err()
}

// Role returns the role called name.
func (p *Policy) Role(name string) (Role, bool) {
	r, ok := p.byName[name]
	return r, ok
}

// RoleName returns the name of r.
func (p *Policy) RoleName(r Role) string {
	if int(r) < len(p.roles) {
		return p.roles[r].name
	}
	return "unknown"
}

// Roles returns the roles of one catalogue in file order.
func (p *Policy) Roles(catalogue string) []Role {
	var out []Role
	for i, d := range p.roles {
		if d.catalogue == catalogue {
			out = append(out, Role(i))
		}
	}
	return out
}

// Allowed reports whether the principal may do action a to the target: it
// must hold, in the very org that owns the target, a role that allows a.
// Grants in a parent org give nothing in its children (O3).
func (p *Policy) Allowed(who *Principal, a Action, t Target) bool {
	if who.scoped && !who.scope.has(a) {
		return false
	}
	for _, g := range who.Grants {
		if g.Org == t.Org && int(g.Role) < len(p.roles) && p.roles[g.Role].perms.has(a) && p.inService(g, a) {
			return true
		}
	}
	return false
}

// inService reports whether a grant's service, if it names one, covers a.
// A service the catalogue does not define covers nothing.
func (p *Policy) inService(g Grant, a Action) bool {
	if g.Service == "" {
		return true
	}
	set, ok := p.services[p.roles[g.Role].catalogue][g.Service]
	return ok && set.has(a)
}

// PeopleOnly reports whether only people may hold r: machines (API users
// and service accounts) never get it, whoever asks.
func (p *Policy) PeopleOnly(r Role) bool {
	return int(r) < len(p.roles) && p.roles[r].peopleOnly
}

// Services returns the names of the services a catalogue defines, sorted.
func (p *Policy) Services(catalogue string) []string {
	var out []string
	for name := range p.services[catalogue] {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Member reports whether the principal holds any role in org.
func (p *Policy) Member(who *Principal, org string) bool {
	for _, g := range who.Grants {
		if g.Org == org {
			return true
		}
	}
	return false
}

// administers returns the roles that who's roles in org administer. A
// grant limited to a service administers nobody: user administration is
// no service's.
func (p *Policy) administers(who *Principal, org string) (set uint64, onCreate uint64) {
	for _, g := range who.Grants {
		if g.Org == org && g.Service == "" && int(g.Role) < len(p.roles) {
			set |= p.roles[g.Role].administer
			onCreate |= p.roles[g.Role].onCreate
		}
	}
	return set, onCreate
}

// CanAdminister reports whether who may edit, lock or delete the target
// user (R2): everyone may edit their own profile where they hold
// users.administer_own_user; nobody else may change an account's initial
// owner; otherwise who must administer every role the target holds. A
// target with no role yet is administered by whoever administers any role
// there.
func (p *Policy) CanAdminister(who *Principal, target TargetUser) bool {
	if who.ID == target.ID {
		return p.Allowed(who, UsersAdministerOwnUser, Target{Org: target.Org})
	}
	if target.InitialOwner {
		return false
	}
	set, _ := p.administers(who, target.Org)
	if len(target.Roles) == 0 {
		return set != 0
	}
	for _, r := range target.Roles {
		if set&(1<<r) == 0 {
			return false
		}
	}
	return true
}

// CanAssign reports whether who may give role r in org to a user:
// creating says whether that user is being created in the same step, which
// the catalogue's assign-on-create rules allow for some roles.
func (p *Policy) CanAssign(who *Principal, org string, r Role, creating bool) bool {
	set, onCreate := p.administers(who, org)
	if creating {
		set |= onCreate
	}
	return set&(1<<r) != 0
}

// Administers reports whether role a administers role b.
func (p *Policy) Administers(a, b Role) bool {
	return int(a) < len(p.roles) && p.roles[a].administer&(1<<b) != 0
}

// Matrix is a catalogue's permission table as people read it: one row per
// area and action (the users.administer_* rows included), one column per role.
type Matrix struct {
	Catalogue string
	Roles     []string
	Rows      []MatrixRow
}

// MatrixRow is one action and, per role in Matrix.Roles order, whether
// the role allows it.
type MatrixRow struct {
	Action  string
	Allowed []bool
}

// Matrix returns the table of one catalogue, built from the same bits
// that Allowed and CanAdminister read.
func (p *Policy) Matrix(catalogue string) Matrix {
	m := Matrix{Catalogue: catalogue}
	roles := p.Roles(catalogue)
	for _, r := range roles {
		m.Roles = append(m.Roles, p.roles[r].name)
	}
	for _, row := range p.rows[catalogue] {
		mr := MatrixRow{Action: row}
		act, isAction := ParseAction(row)
		target, isAdmin := p.byName[strings.TrimPrefix(row, "users.administer_")]
		for _, r := range roles {
			switch {
			case isAction:
				mr.Allowed = append(mr.Allowed, p.roles[r].perms.has(act))
			case isAdmin:
				mr.Allowed = append(mr.Allowed, p.Administers(r, target))
			}
		}
		m.Rows = append(m.Rows, mr)
	}
	return m
}
