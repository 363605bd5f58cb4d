// Package policy decides who may do what. The role catalogues and their
// permission matrices are data (catalogues/*.txt, embedded); this package
// loads them and answers questions about them. It does no I/O.
package policy

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	perService bool   // a grant of it must name a service
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
	// names are the actions' names: the built-in ones, then those of
	// the areas catalogues declare; actions finds them by name.
	names   []string
	actions map[string]Action
	// catalogues are the catalogue names in load order, with the file
	// each came from.
	catalogues []string
	files      map[string]string
	// owner is each customer catalogue's role for the person an account
	// is opened for; former the role an owner keeps when replaced.
	owner, former map[string]Role
	// contains maps catalogue and tenant type to the types of the
	// sub-organizations it may contain ("account" is the account itself).
	contains map[string]map[string][]string
	// numbered holds, per catalogue, the tenant types whose organizations
	// get a number of their own.
	numbered map[string][]string
}

// platformCatalogue is the operator's catalogue; every other one is a
// customer catalogue that an account can be opened with.
const platformCatalogue = "platform"

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
	p := newPolicy()
	if err := p.loadFiles(fsys, "catalogues", "catalogues"); err != nil {
		return nil, err
	}
	return p, p.check()
}

// LoadDir reads the embedded catalogues and then every *.txt file of dir
// (serve's --catalogue-dir). An error names the file and line at fault.
func LoadDir(dir string) (*Policy, error) {
	if dir == "" {
		return Load(catalogueFiles)
	}
	p := newPolicy()
	if err := p.loadFiles(catalogueFiles, "catalogues", "catalogues"); err != nil {
		return nil, err
	}
	if err := p.loadFiles(os.DirFS(dir), ".", dir); err != nil {
		return nil, err
	}
	return p, p.check()
}

func newPolicy() *Policy {
	p := &Policy{byName: map[string]Role{}, rows: map[string][]string{}, services: map[string]map[string]actionSet{},
		actions: map[string]Action{}, files: map[string]string{}, owner: map[string]Role{}, former: map[string]Role{},
		contains: map[string]map[string][]string{}, numbered: map[string][]string{}}
	for i, n := range actionNames {
		p.names = append(p.names, n)
		p.actions[n] = Action(i)
	}
	return p
}

// loadFiles parses the *.txt files of dir in fsys, naming them under
// shown in errors.
func (p *Policy) loadFiles(fsys fs.FS, dir, shown string) error {
	names, err := fs.Glob(fsys, filepath.ToSlash(filepath.Join(dir, "*.txt")))
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("policy: no catalogue files (*.txt) in %s", shown)
	}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		if err := p.parse(filepath.Join(shown, filepath.Base(name)), string(b)); err != nil {
			return err
		}
	}
	return nil
}

// check verifies what only the whole set can show: a platform catalogue
// exists, and every customer catalogue names its account owner.
func (p *Policy) check() error {
	if _, ok := p.files[platformCatalogue]; !ok {
		return fmt.Errorf("policy: no %q catalogue", platformCatalogue)
	}
	for _, c := range p.Catalogues() {
		if _, ok := p.owner[c]; !ok {
			return fmt.Errorf("%s: catalogue %s has no \"account-owner ROLE\" line", p.files[c], c)
		}
	}
	return nil
}

// parse reads one catalogue: a "catalogue NAME" line, a "roles ..." line,
// an optional "areas AREA ..." line declaring areas of its own, then
// matrix rows "area.action x . x ..." with one column per role,
// "assign-on-create ROLE: ROLE ..." lines, "people-only ROLE ..." lines,
// "account-owner ROLE" and "former-owner ROLE" lines and
// "service NAME: AREA ..." lines.
func (p *Policy) parse(file, text string) error {
	var catalogue string
	var cols []Role // the file's roles, in column order
	local := map[string]Role{}
	seen := map[string]bool{}
	areas := map[string]bool{} // the areas this catalogue declares
	type pending struct {
		name  string
		areas []string
		line  int
	}
	var services []pending // resolved once every row is read
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
			if other, dup := p.files[catalogue]; dup {
				return fail("catalogue %s is defined in %s already", catalogue, other)
			}
			p.files[catalogue] = file
			p.catalogues = append(p.catalogues, catalogue)
		case f[0] == "roles":
			if catalogue == "" || cols != nil {
				return fail("want one \"roles\" line after the catalogue line")
			}
			for _, name := range f[1:] {
				if r, dup := p.byName[name]; dup {
					return fail("role %q is defined in catalogue %s already (role names are unique across catalogues)",
						name, p.roles[r].catalogue)
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
		case f[0] == "areas":
			if catalogue == "" || len(f) < 2 {
				return fail("want \"areas AREA ...\" after the catalogue line")
			}
			for _, area := range f[1:] {
				for _, n := range actionNames {
					if strings.HasPrefix(n, area+".") {
						return fail("area %q is Tenantry's own; declare only areas of your portal's other applications", area)
					}
				}
				areas[area] = true
			}
		case f[0] == "account-owner" || f[0] == "former-owner":
			if catalogue == "" || len(f) != 2 {
				return fail("want \"%s ROLE\"", f[0])
			}
			r, ok := local[f[1]]
			if !ok {
				return fail("unknown role %q", f[1])
			}
			if f[0] == "account-owner" {
				p.owner[catalogue] = r
			} else {
				p.former[catalogue] = r
			}
		case f[0] == "contains":
			if catalogue == "" || len(f) < 2 || !strings.HasSuffix(f[1], ":") {
				return fail("want \"contains TYPE: TYPE ...\" (the account itself is the type account)")
			}
			parent := strings.TrimSuffix(f[1], ":")
			if p.contains[catalogue] == nil {
				p.contains[catalogue] = map[string][]string{}
			}
			if _, dup := p.contains[catalogue][parent]; dup {
				return fail("contains %s: is given twice", parent)
			}
			p.contains[catalogue][parent] = append([]string{}, f[2:]...)
		case f[0] == "numbered":
			if catalogue == "" || len(f) < 2 {
				return fail("want \"numbered TYPE ...\": the tenant types whose organizations get a number")
			}
			p.numbered[catalogue] = append(p.numbered[catalogue], f[1:]...)
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
		case f[0] == "people-only" || f[0] == "per-service":
			if len(f) < 2 {
				return fail("want \"%s ROLE ...\"", f[0])
			}
			for _, name := range f[1:] {
				r, ok := local[name]
				if !ok {
					return fail("unknown role %q", name)
				}
				if f[0] == "people-only" {
					p.roles[r].peopleOnly = true
				} else {
					p.roles[r].perService = true
				}
			}
		case f[0] == "service":
			if catalogue == "" || len(f) < 3 || !strings.HasSuffix(f[1], ":") {
				return fail("want \"service NAME: AREA ...\" after the catalogue line")
			}
			services = append(services, pending{name: strings.TrimSuffix(f[1], ":"), areas: f[2:], line: line})
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
			isAdmin = isAdmin && strings.HasPrefix(f[0], "users.administer_")
			act, isAction := ParseAction(f[0])
			if area, _, ok := strings.Cut(f[0], "."); !isAction && !isAdmin && ok && areas[area] {
				if act, isAction = p.actions[f[0]]; !isAction {
					if len(p.names) == maxActions {
						return fail("more than %d actions", maxActions)
					}
					act, isAction = Action(len(p.names)), true
					p.names = append(p.names, f[0])
					p.actions[f[0]] = act
				}
			}
			if !isAction && !isAdmin {
				return fail("unknown action %q (declare its area on an \"areas\" line if it is your portal's own)", f[0])
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
	for _, r := range cols {
		if p.roles[r].perService && len(services) == 0 {
			return fmt.Errorf("%s: role %s is per-service, but the catalogue defines no service", file, p.roles[r].name)
		}
	}
	for _, sv := range services {
		line = sv.line
		if p.services[catalogue] == nil {
			p.services[catalogue] = map[string]actionSet{}
		}
		if _, dup := p.services[catalogue][sv.name]; dup {
			return fail("service %q is defined twice", sv.name)
		}
		var set actionSet
		for _, area := range sv.areas {
			n := 0
			for i, an := range p.names {
				if strings.HasPrefix(an, area+".") {
					set.add(Action(i))
					n++
				}
			}
			if n == 0 {
				return fail("unknown area %q", area)
			}
		}
		p.services[catalogue][sv.name] = set
	}
	return sc.Err()
}

// Catalogues returns the customer catalogues (every one but the
// operator's), in load order: those an account can be opened with.
func (p *Policy) Catalogues() []string {
	var out []string
	for _, c := range p.catalogues {
		if c != platformCatalogue {
			out = append(out, c)
		}
	}
	return out
}

// IsCatalogue reports whether name is a loaded catalogue.
func (p *Policy) IsCatalogue(name string) bool {
	_, ok := p.files[name]
	return ok
}

// AccountOwner returns the role a customer catalogue gives the person an
// account is opened for.
func (p *Policy) AccountOwner(catalogue string) (Role, bool) {
	r, ok := p.owner[catalogue]
	return r, ok
}

// FormerOwner returns the role an owner keeps when the operator makes
// someone else the owner, if the catalogue names one.
func (p *Policy) FormerOwner(catalogue string) (Role, bool) {
	r, ok := p.former[catalogue]
	return r, ok
}

// ChildTypes returns the types of sub-organization an org of type parent
// ("account" for a customer account) may contain in a catalogue, and
// whether the catalogue declares tenant types at all ("contains" lines);
// one that does not leaves the type free.
func (p *Policy) ChildTypes(catalogue, parent string) (types []string, declared bool) {
	m, declared := p.contains[catalogue]
	return m[parent], declared
}

// Numbered reports whether a catalogue gives organizations of a tenant
// type a number of their own ("numbered" lines).
func (p *Policy) Numbered(catalogue, tenantType string) bool {
	return tenantType != "" && slices.Contains(p.numbered[catalogue], tenantType)
}

// LookupAction returns the action named name: a built-in one or one of an
// area a catalogue declares.
func (p *Policy) LookupAction(name string) (Action, bool) {
	a, ok := p.actions[name]
	return a, ok
}

// ActionName returns the name of a, built in or declared.
func (p *Policy) ActionName(a Action) string {
	if int(a) < len(p.names) {
		return p.names[a]
	}
	return "unknown"
}

// AdministerRow reports whether a matrix row is a "users.administer_ROLE"
// row, and names the role it administers.
func AdministerRow(row string) (role string, ok bool) {
	role, ok = strings.CutPrefix(row, "users.administer_")
	return role, ok && role != "own_user"
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

// PerService reports whether a grant of r must name a service: a role a
// person holds in some services only (seed 003's service roles).
func (p *Policy) PerService(r Role) bool {
	return int(r) < len(p.roles) && p.roles[r].perService
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
		act, isAction := p.actions[row]
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
