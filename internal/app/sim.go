package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/policy"
	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// MaxImport bounds one inventory load; MaxRanges one transfer.
const (
	MaxImport = 2_000_000
	MaxRanges = sims.MaxLines
)

// ImportSIMs loads new SIMs into a customer account's inventory (P1), all
// of them or none. Operators only. progress, if not nil, hears how many are
// written as the work goes on.
func (a *App) ImportSIMs(ctx context.Context, who *Actor, accountID, status string, iccids []string, progress func(done, total int)) (int, error) {
	return a.ImportSIMsOnce(ctx, who, "", accountID, status, iccids, progress)
}

// ImportSIMsOnce is ImportSIMs with an idempotency key (B5): a retry with
// the same key and ICCIDs answers as the first load did and loads nothing.
func (a *App) ImportSIMsOnce(ctx context.Context, who *Actor, key, accountID, status string, iccids []string, progress func(done, total int)) (int, error) {
	if err := ready(who); err != nil {
		return 0, err
	}
	if status == "" {
		status = tenantry.SIMActive
	}
	var v tenantry.Validation
	if !slices.Contains(tenantry.SIMStatuses, status) {
		v.Add("status", "must be one of %s", strings.Join(tenantry.SIMStatuses, ", "))
	}
	switch {
	case len(iccids) == 0:
		v.Add("iccids", "give at least one ICCID")
	case len(iccids) > MaxImport:
		v.Add("iccids", "at most %d ICCIDs at once", MaxImport)
	}
	seen := make(map[string]int, len(iccids))
	var lines []tenantry.FieldError
	for i, id := range iccids {
		if err := sims.CheckICCID(id); err != nil {
			lines = append(lines, atLineSaying(i+1, tenantry.Say("%q: %v", id, err)))
		} else if first, dup := seen[id]; dup {
			lines = append(lines, atLineSaying(i+1, tenantry.Say("%s repeats line %d", id, first)))
		} else {
			seen[id] = i + 1
		}
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	if len(lines) > 0 {
		return 0, &tenantry.Error{Code: tenantry.Invalid, Fields: lines,
			Message: fmt.Sprintf("%d of %s are wrong; nothing was loaded (first: line %d: %s)", len(lines), count(len(iccids), "line", "lines"), lines[0].Line, lines[0].Message)}
	}
	request := map[string]any{"account": accountID, "status": status, "iccids": iccids}
	var loaded int
	err := a.once(ctx, who, key, "sims.import", request, &loaded, func(tx tenantry.Tx) error {
		acc, err := a.loadTarget(ctx, tx, who, accountID)
		if err != nil {
			return err
		}
		existing, err := tx.ExistingSIMs(ctx, iccids)
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			var fields []tenantry.FieldError
			for _, id := range existing {
				fields = append(fields, atLineSaying(seen[id], tenantry.Say("%s exists already", id)))
			}
			slices.SortFunc(fields, func(x, y tenantry.FieldError) int { return x.Line - y.Line })
			return &tenantry.Error{Code: tenantry.Conflict, Fields: fields,
				Message: fmt.Sprintf("%s already; nothing was loaded (first: line %d)", count(len(existing), "ICCID exists", "ICCIDs exist"), fields[0].Line)}
		}
		load := &tenantry.SIMLoad{ID: newID(), OrgID: acc.ID, ActorID: who.User.ID, Status: status, SIMCount: int64(len(iccids))}
		if err := tx.CreateSIMLoad(ctx, load); err != nil {
			return err
		}
		// In number order, chunks do not interleave, and neighbours share
		// one range of ownership.
		sorted := slices.Clone(iccids)
		slices.SortFunc(sorted, sims.Compare)
		const chunk = 10_000
		for done := 0; done < len(sorted); done += chunk {
			end := min(done+chunk, len(sorted))
			if err := tx.InsertSIMs(ctx, acc.ID, status, load.ID, sorted[done:end]); err != nil {
				return err
			}
			if progress != nil {
				progress(end, len(iccids))
			}
		}
		if err := tx.AddSIMCount(ctx, acc.ID, int64(len(iccids))); err != nil {
			return err
		}
		loaded = len(iccids)
		return event(ctx, tx, who, acc.ID, "sims.import", "org", acc.ID, map[string]any{"count": len(iccids), "status": status, "load": load.ID})
	})
	if err != nil {
		return 0, err
	}
	return loaded, nil
}

// loadTarget loads the customer account an operator loads SIMs into.
func (a *App) loadTarget(ctx context.Context, tx tenantry.Tx, who *Actor, accountID string) (*tenantry.Org, error) {
	if !a.operator(ctx, tx, who, policy.PlatformInventoryLoad) {
		return nil, forbidden("only platform operators load SIM inventory")
	}
	acc, err := tx.Org(ctx, accountID)
	if tenantry.ErrorCode(err) == tenantry.NotFound || (err == nil && acc.Kind != tenantry.OrgAccount) {
		return nil, notFound("customer account")
	}
	return acc, err
}

// simOrg loads an org whose SIMs the actor may see (S1): a member org with
// sims.see_all, or any customer account for an operator.
func (a *App) simOrg(ctx context.Context, tx tenantry.Tx, who *Actor, id string, act policy.Action) (*tenantry.Org, error) {
	o, err := tx.Org(ctx, id)
	if tenantry.ErrorCode(err) == tenantry.NotFound {
		return nil, notFound("organization")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case a.policy.Member(who.Principal(), o.ID):
		if !a.policy.Allowed(who.Principal(), act, policy.Target{Org: o.ID}) {
			return nil, a.refused(act, o.ID, "you may not do that with this organization's SIMs")
		}
		return o, nil
	case o.Kind == tenantry.OrgAccount && a.operator(ctx, tx, who, policy.PlatformInventoryLoad):
		return o, nil
	}
	return nil, notFound("organization")
}

// ListSIMs returns one page of an org's SIMs (S1).
func (a *App) ListSIMs(ctx context.Context, who *Actor, f tenantry.SIMFilter) ([]*tenantry.SIM, string, error) {
	if err := ready(who); err != nil {
		return nil, "", err
	}
	var v tenantry.Validation
	if f.Status != "" && !slices.Contains(tenantry.SIMStatuses, f.Status) {
		v.Add("status", "must be one of %s", strings.Join(tenantry.SIMStatuses, ", "))
	}
	if strings.Trim(f.Prefix, "0123456789") != "" || len(f.Prefix) > sims.MaxLen {
		v.Add("prefix", "must be up to %d digits", sims.MaxLen)
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	f.Limit = clampLimit(f.Limit)
	var out []*tenantry.SIM
	var next string
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if _, err := a.simOrg(ctx, tx, who, f.OrgID, policy.SIMsSeeAll); err != nil {
			return err
		}
		var err error
		out, next, err = tx.ListSIMs(ctx, f)
		return err
	})
	return out, next, err
}

// ExportSIMs calls emit with every SIM of an org that matches f, page by
// page, for a CSV export (S1); it needs sims.sim_list_export.
func (a *App) ExportSIMs(ctx context.Context, who *Actor, f tenantry.SIMFilter, emit func([]*tenantry.SIM) error) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.view(ctx, func(tx tenantry.Tx) error {
		if _, err := a.simOrg(ctx, tx, who, f.OrgID, policy.SIMsSIMListExport); err != nil {
			return err
		}
		f.Limit, f.Cursor = 1000, ""
		for {
			page, next, err := tx.ListSIMs(ctx, f)
			if err != nil {
				return err
			}
			if err := emit(page); err != nil {
				return err
			}
			if next == "" {
				return nil
			}
			f.Cursor = next
		}
	})
}

// TransferRequest moves SIMs between an org and its direct parent or
// child (S2). Lines, when the ranges came from a file, gives each range's
// line number for the answer.
type TransferRequest struct {
	From, To string
	Ranges   []sims.Range
	Lines    []int
	DryRun   bool
	// IdempotencyKey, when set, makes a retry of the same request answer
	// as the first did and move nothing twice (B5).
	IdempotencyKey string
}

// RangeResult is what a transfer did, or would do, with one range.
type RangeResult struct {
	sims.Range
	Line     int
	Moved    int64 // or would move, in a dry run
	NotOwned int64 // ICCIDs in the range that are not SIMs of the source org: they stay where they are, if anywhere
}

// TransferResult is the outcome of a transfer or a dry run.
type TransferResult struct {
	ID     string // "" for a dry run
	DryRun bool
	Moved  int64
	Ranges []RangeResult
}

// Transfer moves every SIM the source owns in the given ranges to the
// target, all or nothing, in one transaction with its audit event; a dry
// run counts without moving. Transfers go only between an org and its
// direct parent or child; the actor needs organisation.sim_transfer in the
// parent, or in the child to give SIMs up to its parent.
func (a *App) Transfer(ctx context.Context, who *Actor, in TransferRequest) (*TransferResult, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	if in.Lines == nil {
		for i := range in.Ranges {
			in.Lines = append(in.Lines, i+1)
		}
	}
	var problems []tenantry.FieldError
	if len(in.Ranges) == 0 {
		problems = append(problems, tenantry.FieldError{Field: "ranges", Message: "give at least one range", Text: tenantry.Say("give at least one range")})
	}
	if len(in.Ranges) > MaxRanges {
		f := tenantry.Reason(tenantry.Say("at most %d ranges at once", MaxRanges))
		f.Field = "ranges"
		problems = append(problems, f)
	}
	for i, r := range in.Ranges {
		if reason := r.Check(); reason.Format != "" {
			problems = append(problems, atLineSaying(in.Lines[i], reason))
		}
	}
	if len(problems) == 0 {
		for _, p := range sims.Overlaps(in.Ranges, in.Lines) {
			problems = append(problems, atLineSaying(p.Line, p.Text))
		}
	}
	if len(problems) > 0 {
		return nil, &tenantry.Error{Code: tenantry.Invalid, Fields: problems,
			Message: fmt.Sprintf("%s; nothing moved (first: %s)", count(len(problems), "problem", "problems"), describe(problems[0]))}
	}
	res := &TransferResult{DryRun: in.DryRun}
	for i, r := range in.Ranges {
		res.Ranges = append(res.Ranges, RangeResult{Range: r, Line: in.Lines[i]})
	}
	// Move in ICCID order, so the parts of neighbouring ranges merge.
	slices.SortStableFunc(res.Ranges, func(x, y RangeResult) int {
		if x.Less(y.Range) {
			return -1
		}
		if y.Less(x.Range) {
			return 1
		}
		return 0
	})
	body := func(tx tenantry.Tx) error {
		res.Moved = 0
		from, to, err := a.transferPair(ctx, tx, who, in.From, in.To)
		if err != nil {
			return err
		}
		id := ""
		if !in.DryRun {
			id = newID()
		}
		moves := make([]tenantry.TransferRange, len(res.Ranges))
		for i, r := range res.Ranges {
			moves[i] = tenantry.TransferRange{Start: r.Start, End: r.End}
			if in.DryRun {
				if moves[i].Moved, err = tx.CountRange(ctx, from.ID, r.Start, r.End); err != nil {
					return err
				}
			}
		}
		if !in.DryRun {
			if err := tx.MoveRanges(ctx, from.ID, to.ID, id, moves); err != nil {
				return err
			}
		}
		for i := range res.Ranges {
			r := &res.Ranges[i]
			// Whether the rest exist, and where, is not the caller's to know.
			r.Moved, r.NotOwned = moves[i].Moved, int64(r.Size())-moves[i].Moved
			res.Moved += r.Moved
		}
		if in.DryRun {
			return nil
		}
		if res.Moved == 0 {
			return tenantry.Errorf(tenantry.NothingToTransfer, "none of the ranges holds a SIM of %s; nothing moved", from.Name)
		}
		if err := tx.AddSIMCount(ctx, from.ID, -res.Moved); err != nil {
			return err
		}
		if err := tx.AddSIMCount(ctx, to.ID, res.Moved); err != nil {
			return err
		}
		t := &tenantry.Transfer{ID: id, FromOrg: from.ID, ToOrg: to.ID, ActorID: who.User.ID, SIMCount: res.Moved}
		ranges := make([]map[string]any, 0, len(res.Ranges))
		for _, r := range res.Ranges {
			t.Ranges = append(t.Ranges, tenantry.TransferRange{Start: r.Start, End: r.End, Moved: r.Moved, NotOwned: r.NotOwned})
			ranges = append(ranges, map[string]any{"start": r.Start, "end": r.End, "moved": r.Moved, "not_owned": r.NotOwned})
		}
		if err := tx.CreateTransfer(ctx, t); err != nil {
			return err
		}
		res.ID = id
		details := map[string]any{"transfer": id, "from": from.ID, "to": to.ID, "moved": res.Moved, "ranges": ranges}
		if err := event(ctx, tx, who, from.ID, "sims.transfer_out", "org", to.ID, details); err != nil {
			return err
		}
		return event(ctx, tx, who, to.ID, "sims.transfer_in", "org", from.ID, details)
	}
	var err error
	if in.DryRun {
		err = a.view(ctx, body)
	} else {
		request := map[string]any{"from": in.From, "to": in.To, "ranges": in.Ranges}
		err = a.once(ctx, who, in.IdempotencyKey, "sims.transfer", request, res, body)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// atLineSaying is the field error t on line n of a file.
func atLineSaying(n int, t tenantry.Text) tenantry.FieldError {
	f := tenantry.Reason(t)
	f.Line = n
	return f
}

func describe(f tenantry.FieldError) string {
	if f.Line > 0 {
		return fmt.Sprintf("line %d: %s", f.Line, f.Message)
	}
	return f.Field + ": " + f.Message
}

// transferPair loads the two orgs of a transfer and checks that the actor
// may move SIMs between them.
func (a *App) transferPair(ctx context.Context, tx tenantry.Tx, who *Actor, fromID, toID string) (from, to *tenantry.Org, err error) {
	if from, err = a.transferOrg(ctx, tx, who, fromID); err != nil {
		return nil, nil, err
	}
	// A child may give SIMs up to its parent, which it knows by id only.
	if from.ParentID != "" && toID == from.ParentID && a.policy.Member(who.Principal(), from.ID) {
		to, err = tx.Org(ctx, toID)
	} else {
		to, err = a.transferOrg(ctx, tx, who, toID)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := noMarketplace(from); err != nil {
		return nil, nil, err
	}
	if err := a.mayTransfer(who, from, to); err != nil {
		return nil, nil, err
	}
	return from, to, nil
}

// MayTransfer says whether the actor may move SIMs from from to to, so
// that the portal offers only the transfers the use case would make.
func (a *App) MayTransfer(who *Actor, from, to *tenantry.Org) error {
	if err := ready(who); err != nil {
		return err
	}
	return a.mayTransfer(who, from, to)
}

// mayTransfer is the rule of S2: between an org and its direct parent or
// child, with organisation.sim_transfer in the parent, or in the child to
// give SIMs up to the parent.
func (a *App) mayTransfer(who *Actor, from, to *tenantry.Org) error {
	var parent, child *tenantry.Org
	switch {
	case to.ParentID == from.ID:
		parent, child = from, to
	case from.ParentID == to.ID:
		parent, child = to, from
	default:
		return tenantry.Errorf(tenantry.TransferNotAllowed,
			"SIMs move only between an organization and its direct parent or child, not between %s and %s", from.Name, to.Name)
	}
	p := who.Principal()
	if a.policy.Allowed(p, policy.OrganisationSIMTransfer, policy.Target{Org: parent.ID}) ||
		(from.ID == child.ID && a.policy.Allowed(p, policy.OrganisationSIMTransfer, policy.Target{Org: child.ID})) {
		return nil
	}
	return a.refused(policy.OrganisationSIMTransfer, parent.ID, "you may not transfer SIMs between these organizations")
}

// transferOrg loads an org at one end of a transfer: one the actor may
// see, or the child of one where the actor may transfer SIMs (an API user
// moves SIMs to sub-organizations it may not list, seed 000).
func (a *App) transferOrg(ctx context.Context, tx tenantry.Tx, who *Actor, id string) (*tenantry.Org, error) {
	o, err := a.visibleOrg(ctx, tx, who, id)
	if tenantry.ErrorCode(err) != tenantry.NotFound {
		return o, err
	}
	child, cerr := tx.Org(ctx, id)
	if cerr == nil && child.ParentID != "" && a.policy.Allowed(who.Principal(), policy.OrganisationSIMTransfer, policy.Target{Org: child.ParentID}) {
		return child, nil
	}
	if cerr != nil && tenantry.ErrorCode(cerr) != tenantry.NotFound {
		return nil, cerr
	}
	return nil, err
}

// Transfers lists the transfers from or to an org the actor may manage.
func (a *App) Transfers(ctx context.Context, who *Actor, orgID string) ([]*tenantry.Transfer, error) {
	if err := ready(who); err != nil {
		return nil, err
	}
	var out []*tenantry.Transfer
	err := a.view(ctx, func(tx tenantry.Tx) error {
		if _, err := a.simOrg(ctx, tx, who, orgID, policy.SIMsSeeAll); err != nil {
			return err
		}
		var err error
		out, err = tx.Transfers(ctx, orgID, 100)
		return err
	})
	return out, err
}

// ReadTransferFile reads a transfer file (.csv or .txt: one ICCID or
// "first,last" range per line) into ranges with their line numbers. A file
// with any bad line is refused whole, each line's reason in the error.
func ReadTransferFile(r io.Reader) ([]sims.Range, []int, error) {
	ranges, lines, problems := sims.ParseFile(r)
	if len(problems) == 0 {
		return ranges, lines, nil
	}
	fields := make([]tenantry.FieldError, 0, len(problems))
	for _, p := range problems {
		fields = append(fields, atLineSaying(p.Line, p.Text))
	}
	return nil, nil, &tenantry.Error{Code: tenantry.Invalid, Fields: fields,
		Message: "the file has " + count(len(problems), "wrong line", "wrong lines") + "; nothing moved (first: " + problems[0].Error() + ")"}
}

// SIMEvent is one line of a SIM's history (B5): its load into the
// inventory, or a transfer that moved it. An organization or person the
// viewer may not see is left unnamed.
type SIMEvent struct {
	Kind       string // "loaded" or "transferred"
	At         time.Time
	By         string // the login of who did it; "" where unknown or not the viewer's to see
	FromID     string // "" for a load, or where not the viewer's to see
	FromName   string
	ToID       string
	ToName     string
	TransferID string     // the transfer, or the load
	Range      sims.Range // the transfer's range that held the SIM
	Count      int64      // SIMs the transfer or load moved in all
}

// SIMHistory returns a SIM with its history, oldest first: where it was
// loaded and each transfer that moved it, replayed from the transfers'
// ranges (a range that held it moved it when it came from its owner at
// the time). Whoever may see the SIM now may read it.
func (a *App) SIMHistory(ctx context.Context, who *Actor, iccid string) (*tenantry.SIM, []SIMEvent, error) {
	if err := ready(who); err != nil {
		return nil, nil, err
	}
	iccid = strings.TrimSpace(iccid)
	var sim *tenantry.SIM
	var out []SIMEvent
	err := a.view(ctx, func(tx tenantry.Tx) error {
		var err error
		sim, err = tx.SIM(ctx, iccid)
		if tenantry.ErrorCode(err) == tenantry.NotFound {
			return notFound("SIM")
		}
		if err != nil {
			return err
		}
		if _, err := a.simOrg(ctx, tx, who, sim.OrgID, policy.SIMsSeeAll); err != nil {
			if tenantry.ErrorCode(err) == tenantry.Forbidden {
				return notFound("SIM")
			}
			return err
		}
		operator := a.operator(ctx, tx, who, policy.PlatformInventoryLoad)
		// An org is the viewer's to see as elsewhere (visibleOrg).
		names, seen := map[string]string{}, map[string]bool{}
		visible := func(id string) bool {
			if v, ok := seen[id]; ok {
				return v
			}
			o, err := a.visibleOrg(ctx, tx, who, id)
			seen[id] = operator || err == nil
			if err == nil {
				names[id] = o.Name
			}
			return seen[id]
		}
		org := func(id string) (string, string) {
			if !visible(id) {
				return "", ""
			}
			if n, ok := names[id]; ok {
				return id, n
			}
			if o, err := tx.Org(ctx, id); err == nil {
				names[id] = o.Name
			}
			return id, names[id]
		}
		by := func(userID string) string {
			u, err := tx.User(ctx, userID)
			if err != nil || !visible(u.OrgID) {
				return ""
			}
			return u.Login
		}
		load, transfers, err := tx.SIMHistory(ctx, iccid)
		if err != nil {
			return err
		}
		owner := ""
		if load != nil {
			owner = load.OrgID
			e := SIMEvent{Kind: "loaded", At: load.CreatedAt, By: by(load.ActorID), TransferID: load.ID, Count: load.SIMCount}
			e.ToID, e.ToName = org(load.OrgID)
			out = append(out, e)
		}
		for _, t := range transfers {
			if owner != "" && t.FromOrg != owner {
				continue // the range held it, but it was not the source's then
			}
			owner = t.ToOrg
			e := SIMEvent{Kind: "transferred", At: t.CreatedAt, By: by(t.ActorID), TransferID: t.ID,
				Range: sims.Range{Start: t.Ranges[0].Start, End: t.Ranges[0].End}, Count: t.SIMCount}
			e.FromID, e.FromName = org(t.FromOrg)
			e.ToID, e.ToName = org(t.ToOrg)
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return sim, out, nil
}
