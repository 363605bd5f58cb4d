package policy

// Reason says why the policy allows or denies an action (B2).
type Reason int

// The reasons, the one that allows first.
const (
	// Granted: a grant in the target's org allows the action.
	Granted Reason = iota
	// OutOfScope: the principal's token was narrowed to other actions.
	OutOfScope
	// OtherService: a grant in the target's org allows it, but for
	// another service than the action's.
	OtherService
	// AboveOnly: a grant allows it in another org (a parent, say), which
	// gives nothing in the target's org (O3).
	AboveOnly
	// NoGrant: no grant of the principal allows the action anywhere.
	NoGrant
)

// Why is a decision with its reason: the grant that allows the action,
// or, for OtherService and AboveOnly, the grant that would have.
type Why struct {
	Reason Reason
	Grant  Grant
}

// Allowed reports whether the decision allows the action.
func (w Why) Allowed() bool { return w.Reason == Granted }

// Explain decides like Allowed and says why: which grant allows the
// action, or what is missing. It reads the same bits Allowed does.
func (p *Policy) Explain(who *Principal, a Action, t Target) Why {
	if who.scoped && !who.scope.has(a) {
		return Why{Reason: OutOfScope}
	}
	best := Why{Reason: NoGrant}
	for _, g := range who.Grants {
		if int(g.Role) >= len(p.roles) || !p.roles[g.Role].perms.has(a) {
			continue
		}
		switch {
		case g.Org == t.Org && p.inService(g, a):
			return Why{Reason: Granted, Grant: g}
		case g.Org == t.Org && best.Reason > OtherService:
			best = Why{Reason: OtherService, Grant: g}
		case g.Org != t.Org && best.Reason > AboveOnly:
			best = Why{Reason: AboveOnly, Grant: g}
		}
	}
	return best
}

// ActionServices returns, sorted, the services of catalogue whose areas
// include a; none for an action of no service.
func (p *Policy) ActionServices(catalogue string, a Action) []string {
	var out []string
	for _, name := range p.Services(catalogue) {
		if set := p.services[catalogue][name]; set.has(a) {
			out = append(out, name)
		}
	}
	return out
}
