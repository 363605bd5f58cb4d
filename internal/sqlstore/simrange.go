package sqlstore

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/internal/sims"
	"github.com/tenantry/tenantry/internal/tenantry"
)

// Who owns a SIM is kept as ranges (sim_ranges): runs of same-length
// ICCIDs that one org owns, never overlapping, every SIM in exactly one.
// A change reads the ranges around the ICCIDs it touches once, edits them
// in memory (cutting, placing, merging neighbours) and writes back only
// the rows that differ, each once: a transfer costs in proportion to its
// ranges, not to its SIMs, and no row is rewritten once per range of a
// transfer (which on PostgreSQL leaves a chain of dead versions that
// every later read in the transaction walks).

// simRange is one row of sim_ranges: org owns every SIM from start to
// end, n of them; transfer and updated are the last move of them all.
type simRange struct {
	org, start, end, transfer string
	n, updated                int64
}

func (r simRange) span() sims.Range { return sims.Range{Start: r.start, End: r.end} }

// sameMove reports whether r and o may be one range: one owner, one last move.
func (r simRange) sameMove(o simRange) bool {
	return r.org == o.org && r.transfer == o.transfer && r.updated == o.updated
}

const simRangeColumns = `org_id, start_iccid, end_iccid, transfer_id, sim_count, updated_at`

func scanSIMRange(row interface{ Scan(...any) error }) (simRange, error) {
	var r simRange
	err := row.Scan(&r.org, &r.start, &r.end, &r.transfer, &r.n, &r.updated)
	return r, err
}

// iccidsIn selects the SIMs from $1 to $2 of length $3: with ICCIDs of
// 19 and 20 digits, text order alone would let a 20-digit one fall
// between two 19-digit ones.
const iccidsIn = `iccid >= $1 AND iccid <= $2 AND length(iccid) = $3`

// overlapping selects the ranges of length $1 that share an ICCID with
// $2..$3. Ranges never overlap, so the first can start no earlier than
// the last one starting at or before $2: the scan stays within the span.
const overlapping = `digits = $1 AND start_iccid <= $3 AND end_iccid >= $2
	AND start_iccid >= COALESCE((SELECT MAX(start_iccid) FROM sim_ranges WHERE digits = $1 AND start_iccid <= $2), $2)`

// lockSIMRanges serialises the transactions that change SIM ranges. On
// PostgreSQL a transaction-scoped advisory lock does it: a change reads,
// splits and merges neighbouring ranges, possibly of other orgs, so row
// locks alone would let two changes miss each other's new pieces. Every
// statement after the lock sees what the previous holder committed.
// SQLite's one writer serialises by itself.
func (tx *Tx) lockSIMRanges(ctx context.Context) error {
	if tx.dialect != Postgres || tx.simsLocked {
		return nil
	}
	if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7310315695813980211)`); err != nil {
		return err
	}
	tx.simsLocked = true
	return nil
}

// scanICCID reads a row of one ICCID.
func scanICCID(row interface{ Scan(...any) error }) (string, error) {
	var id string
	err := row.Scan(&id)
	return id, err
}

// eachLength calls fn with each run of items (in number order) whose key
// has one length: ranges of ICCIDs never span two lengths.
func eachLength[T any](items []T, key func(T) string, fn func([]T) error) error {
	for len(items) > 0 {
		n := 1
		for n < len(items) && len(key(items[n])) == len(key(items[0])) {
			n++
		}
		if err := fn(items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// countIn counts the SIMs from start to end.
func (tx *Tx) countIn(ctx context.Context, start, end string) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM sims WHERE `+iccidsIn, start, end, len(start)).Scan(&n)
	return n, translate(err)
}

// split tells how many of r's SIMs lie before lo, from lo to hi, and
// after hi (lo..hi within r). A full range (a SIM for every ICCID in it,
// as cards come from the factory) needs no counting; otherwise the two
// narrowest parts are counted and the widest is what remains.
func (tx *Tx) split(ctx context.Context, r simRange, lo, hi string) (before, within, after int64, err error) {
	parts := []sims.Range{{Start: r.start, End: lo}, {Start: lo, End: hi}, {Start: hi, End: r.end}}
	var widths [3]uint64
	for i, p := range parts {
		widths[i] = p.Size()
	}
	// The first and last parts hold lo and hi only as bounds.
	widths[0]--
	widths[2]--
	var counts [3]int64
	if uint64(r.n) == r.span().Size() {
		return int64(widths[0]), int64(widths[1]), int64(widths[2]), nil
	}
	widest := 0
	for i := range widths {
		if widths[i] > widths[widest] {
			widest = i
		}
	}
	rest := r.n
	for i, p := range parts {
		if i == widest || widths[i] == 0 {
			continue
		}
		switch i {
		case 0:
			p.End = sims.Prev(lo)
		case 2:
			p.Start = sims.Next(hi)
		}
		if counts[i], err = tx.countIn(ctx, p.Start, p.End); err != nil {
			return 0, 0, 0, err
		}
		rest -= counts[i]
	}
	counts[widest] = rest
	return counts[0], counts[1], counts[2], nil
}

// CountRange counts the SIMs in a range owned by org.
func (tx *Tx) CountRange(ctx context.Context, orgID, start, end string) (int64, error) {
	rs, err := queryAll(ctx, tx, scanSIMRange, `SELECT `+simRangeColumns+` FROM sim_ranges WHERE `+overlapping+` AND org_id = $4
		ORDER BY start_iccid`, len(start), start, end, orgID)
	if err != nil {
		return 0, err
	}
	var owned int64
	for _, r := range rs {
		_, within, _, err := tx.split(ctx, r, max(r.start, start), min(r.end, end))
		if err != nil {
			return 0, err
		}
		owned += within
	}
	return owned, nil
}

// MoveRanges gives to every SIM of from in the ranges (in order, not
// overlapping) and records how many moved in each range's Moved.
func (tx *Tx) MoveRanges(ctx context.Context, from, to, transferID string, ranges []tenantry.TransferRange) error {
	if err := tx.lockSIMRanges(ctx); err != nil {
		return err
	}
	return eachLength(ranges, func(r tenantry.TransferRange) string { return r.Start }, func(group []tenantry.TransferRange) error {
		spans := make([]sims.Range, len(group))
		for i, r := range group {
			spans[i] = sims.Range{Start: r.Start, End: r.End}
		}
		e, err := tx.editRanges(ctx, spans)
		if err != nil {
			return err
		}
		for k := range spans {
			taken, err := e.take(ctx, k, from)
			if err != nil {
				return err
			}
			for _, r := range taken {
				r.org, r.transfer, r.updated = to, transferID, micros(tx.now)
				e.place(k, r)
				group[k].Moved += r.n
			}
		}
		return e.save(ctx)
	})
}

// giveNewSIMs makes ranges that give org the new SIMs iccids (sorted, of
// one length, none of them a SIM yet). Neighbours share one range unless
// an existing SIM lies between them.
func (tx *Tx) giveNewSIMs(ctx context.Context, org string, iccids []string) error {
	first, last := iccids[0], iccids[len(iccids)-1]
	// The existing SIMs within the new ones' span, in order: they lie in
	// the ranges there.
	others, err := queryAll(ctx, tx, scanSIMRange, `SELECT `+simRangeColumns+` FROM sim_ranges WHERE `+overlapping+`
		ORDER BY start_iccid`, len(first), first, last)
	if err != nil {
		return err
	}
	var between []string
	for _, r := range others {
		ids, err := queryAll(ctx, tx, scanICCID, `SELECT iccid FROM sims WHERE `+iccidsIn+` ORDER BY iccid`,
			max(r.start, first), min(r.end, last), len(first))
		if err != nil {
			return err
		}
		between = append(between, ids...)
	}
	var runs []sims.Range
	var sizes []int64
	from := 0
	for i := 1; i <= len(iccids); i++ {
		if i < len(iccids) && (len(between) == 0 || between[0] > iccids[i]) {
			continue
		}
		for len(between) > 0 && (i == len(iccids) || between[0] < iccids[i]) {
			between = between[1:]
		}
		runs = append(runs, sims.Range{Start: iccids[from], End: iccids[i-1]})
		sizes = append(sizes, int64(i-from))
		from = i
	}
	e, err := tx.editRanges(ctx, runs)
	if err != nil {
		return err
	}
	for k, run := range runs {
		// Others' ranges may span the new SIMs' places, though none of
		// their SIMs lies there: take the places out of them.
		if _, err := e.take(ctx, k, ""); err != nil {
			return err
		}
		e.place(k, simRange{org: org, start: run.Start, end: run.End, n: sizes[k], updated: micros(tx.now)})
	}
	return e.save(ctx)
}

// rangeEdit is the ranges around some spans of one length, read once,
// changed in memory and saved as the rows that differ. Around each span
// it holds every range that overlaps it and the ranges just before and
// after it (its window): no range it does not hold lies in a window, so
// within a window its neighbours are the true ones.
type rangeEdit struct {
	tx     *Tx
	spans  []sims.Range
	window []sims.Range // per span: from the start of the range before it to the start of the range after it ("" for none)
	rows   []simRange   // in order, not overlapping
	read   map[string]simRange
}

// editRanges reads the ranges around spans (in order, of one length).
func (tx *Tx) editRanges(ctx context.Context, spans []sims.Range) (*rangeEdit, error) {
	e := &rangeEdit{tx: tx, spans: spans, read: map[string]simRange{}}
	for _, s := range spans {
		rs, err := queryAll(ctx, tx, scanSIMRange, `SELECT * FROM (SELECT `+simRangeColumns+` FROM sim_ranges
				WHERE digits = $1 AND start_iccid < $2 ORDER BY start_iccid DESC LIMIT 1) p
			UNION ALL SELECT `+simRangeColumns+` FROM sim_ranges WHERE `+overlapping+`
			UNION ALL SELECT * FROM (SELECT `+simRangeColumns+` FROM sim_ranges
				WHERE digits = $1 AND start_iccid > $3 ORDER BY start_iccid LIMIT 1) n`, len(s.Start), s.Start, s.End)
		if err != nil {
			return nil, err
		}
		w := sims.Range{}
		for _, r := range rs {
			if r.start < s.Start && (w.Start == "" || r.start < w.Start) {
				w.Start = r.start
			}
			if r.start > s.End {
				w.End = r.start
			}
			if _, dup := e.read[r.start]; !dup {
				e.read[r.start] = r
				e.rows = append(e.rows, r)
			}
		}
		e.window = append(e.window, w)
	}
	slices.SortFunc(e.rows, func(x, y simRange) int { return strings.Compare(x.start, y.start) })
	return e, nil
}

// take cuts out of the ranges of from ("" for anyone's) what lies in
// span k and returns the parts that hold SIMs, in order.
func (e *rangeEdit) take(ctx context.Context, k int, from string) ([]simRange, error) {
	span := e.spans[k]
	var taken []simRange
	done := "" // the end of what is handled
	for {
		i, _ := slices.BinarySearchFunc(e.rows, span.Start, func(r simRange, t string) int { return strings.Compare(r.end, t) })
		if done != "" {
			i = max(i, sortSearchStart(e.rows, done))
		}
		if i == len(e.rows) || e.rows[i].start > span.End {
			return taken, nil
		}
		r := e.rows[i]
		lo, hi := max(r.start, span.Start), min(r.end, span.End)
		done = hi
		if from != "" && r.org != from {
			continue
		}
		before, within, after, err := e.tx.split(ctx, r, lo, hi)
		if err != nil {
			return nil, err
		}
		// What lies before and after stays its owner's; parts without a
		// SIM need no owner.
		var keep []simRange
		if before > 0 {
			keep = append(keep, simRange{org: r.org, start: r.start, end: sims.Prev(lo), n: before, transfer: r.transfer, updated: r.updated})
		}
		if after > 0 {
			keep = append(keep, simRange{org: r.org, start: sims.Next(hi), end: r.end, n: after, transfer: r.transfer, updated: r.updated})
		}
		e.rows = slices.Replace(e.rows, i, i+1, keep...)
		if within > 0 {
			taken = append(taken, simRange{org: r.org, start: lo, end: hi, n: within})
		}
	}
}

// sortSearchStart returns the index of the first row starting after s.
func sortSearchStart(rows []simRange, s string) int {
	i, found := slices.BinarySearchFunc(rows, s, func(r simRange, t string) int { return strings.Compare(r.start, t) })
	if found {
		i++
	}
	return i
}

// place adds r (within span k, where no range lies) and merges it with
// the ranges just before and after it when they have its owner and last
// move and lie in k's window: between neighbouring ranges lies no SIM.
func (e *rangeEdit) place(k int, r simRange) {
	w := e.window[k]
	i := sortSearchStart(e.rows, r.start)
	if i < len(e.rows) && e.rows[i].sameMove(r) && (w.End == "" || e.rows[i].start <= w.End) {
		r.end, r.n = e.rows[i].end, r.n+e.rows[i].n
		e.rows = slices.Delete(e.rows, i, i+1)
	}
	if i > 0 && e.rows[i-1].sameMove(r) && (w.Start == "" || e.rows[i-1].end >= w.Start) {
		e.rows[i-1].end, e.rows[i-1].n = r.end, e.rows[i-1].n+r.n
		return
	}
	e.rows = slices.Insert(e.rows, i, r)
}

// save writes what changed: the rows read that are gone or different are
// deleted, the rows that are new or different inserted, each in
// statements of insertChunk rows.
func (e *rangeEdit) save(ctx context.Context) error {
	if len(e.spans) == 0 {
		return nil
	}
	digits := len(e.spans[0].Start)
	now := map[string]simRange{}
	for _, r := range e.rows {
		now[r.start] = r
	}
	var gone []string
	for start, r := range e.read {
		if now[start] != r {
			gone = append(gone, start)
		}
	}
	var added []simRange
	for _, r := range e.rows {
		if old, ok := e.read[r.start]; !ok || old != r {
			added = append(added, r)
		}
	}
	for len(gone) > 0 {
		n := min(len(gone), insertChunk)
		args := []any{digits}
		ph := make([]string, n)
		for i, s := range gone[:n] {
			args = append(args, s)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		if _, err := e.tx.exec(ctx, `DELETE FROM sim_ranges WHERE digits = $1 AND start_iccid IN (`+strings.Join(ph, ", ")+`)`, args...); err != nil {
			return err
		}
		gone = gone[n:]
	}
	for len(added) > 0 {
		n := min(len(added), insertChunk)
		var q strings.Builder
		q.WriteString(`INSERT INTO sim_ranges (digits, ` + simRangeColumns + `) VALUES `)
		args := []any{digits}
		for i, r := range added[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("($1")
			for _, v := range []any{r.org, r.start, r.end, r.transfer, r.n, r.updated} {
				args = append(args, v)
				q.WriteString(", $" + strconv.Itoa(len(args)))
			}
			q.WriteString(")")
		}
		if _, err := e.tx.exec(ctx, q.String(), args...); err != nil {
			return err
		}
		added = added[n:]
	}
	return nil
}
