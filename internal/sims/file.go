package sims

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tenantry/tenantry/internal/tenantry"
)

// MaxFileSize is the largest transfer file read; MaxLines the most lines.
const (
	MaxFileSize = 8 << 20
	MaxLines    = 10_000 // as many ranges as one transfer takes
)

// LineError is one wrong line of a transfer file.
type LineError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	// Text is Reason before it was put in words, for other languages.
	Text tenantry.Text `json:"-"`
}

// lineError is what is wrong on line n.
func lineError(n int, t tenantry.Text) LineError {
	return LineError{Line: n, Reason: t.String(), Text: t}
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// ParseFile reads a transfer file: one "START;END" per line ("ICCID;ICCID"
// for one SIM), quotes optional, blank lines ignored, CRLF or LF. It
// returns the ranges in file order with their line numbers, and every
// problem it found; a file with any problem must move nothing.
func ParseFile(r io.Reader) (ranges []Range, lines []int, problems []LineError) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, nil, []LineError{lineError(0, tenantry.Say("the file could not be read: %s", err))}
	}
	if len(data) > MaxFileSize {
		return nil, nil, []LineError{lineError(0, tenantry.Say("the file is too large: at most %d MiB", MaxFileSize>>20))}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark from spreadsheet exports
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), MaxFileSize)
	n := 0
	for sc.Scan() {
		n++
		if n > MaxLines {
			return nil, nil, []LineError{lineError(n, tenantry.Say("the file is too large: at most %d lines", MaxLines))}
		}
		rg, reason, blank := parseLine(sc.Text())
		if blank {
			continue
		}
		if reason.Format != "" {
			problems = append(problems, lineError(n, reason))
			continue
		}
		ranges = append(ranges, rg)
		lines = append(lines, n)
	}
	if len(ranges) == 0 && len(problems) == 0 {
		problems = append(problems, lineError(0, tenantry.Say("the file holds no ranges")))
	}
	problems = append(problems, Overlaps(ranges, lines)...)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return ranges, lines, problems
}

// parseLine reads one line; blank says the line holds nothing.
func parseLine(line string) (r Range, reason tenantry.Text, blank bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return Range{}, reason, true
	}
	fields := strings.Split(line, ";")
	switch {
	case len(fields) == 3 && strings.TrimSpace(fields[2]) == "":
		return Range{}, tenantry.Say("trailing semicolon: write START;END with nothing after END"), false
	case len(fields) > 2:
		return Range{}, tenantry.Say("more than two fields (%d): write START;END", len(fields)), false
	case len(fields) == 1:
		if strings.Contains(line, ",") {
			return Range{}, tenantry.Say("use a semicolon, not a comma, between start and end"), false
		}
		return Range{}, tenantry.Say("one field: write START;END, or ICCID;ICCID for one SIM"), false
	}
	start, ok1 := unquote(fields[0])
	end, ok2 := unquote(fields[1])
	if !ok1 || !ok2 {
		return Range{}, tenantry.Say("unbalanced quotes"), false
	}
	r = Range{Start: start, End: end}
	if reason := r.Check(); reason.Format != "" {
		return Range{}, reason, false
	}
	return r, reason, false
}

func unquote(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `"`) || strings.HasSuffix(s, `"`) {
		if len(s) < 2 || !strings.HasPrefix(s, `"`) || !strings.HasSuffix(s, `"`) {
			return "", false
		}
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s, true
}

// Overlaps reports every range that repeats or overlaps an earlier one,
// naming both lines. lines gives each range's line number (or its index
// plus one for ranges that did not come from a file).
func Overlaps(ranges []Range, lines []int) []LineError {
	idx := make([]int, len(ranges))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return ranges[idx[a]].Less(ranges[idx[b]]) })
	var out []LineError
	for k := 1; k < len(idx); k++ {
		prev, cur := idx[k-1], idx[k]
		// The sort puts any overlap next to a neighbour's; compare with the
		// widest range seen so far in this length.
		if ranges[prev].Overlaps(ranges[cur]) {
			a, b := prev, cur
			if lines[a] > lines[b] {
				a, b = b, a
			}
			what := "overlaps the range on line %d"
			if ranges[a] == ranges[b] {
				what = "repeats the range on line %d"
			}
			out = append(out, lineError(lines[b], tenantry.Say(what, lines[a])))
		}
		if ranges[prev].Overlaps(ranges[cur]) && ranges[prev].End > ranges[cur].End {
			idx[k] = prev // keep the wider range as the one to compare with
		}
	}
	return out
}

// Format writes ranges as a transfer file.
func Format(ranges []Range) string {
	var b strings.Builder
	for _, r := range ranges {
		b.WriteString(r.Start + ";" + r.End + "\n")
	}
	return b.String()
}

// SafeCell neutralises a CSV cell that a spreadsheet would run as a
// formula (one starting with =, +, -, @, tab or carriage return) by
// putting a quote before it.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ReadICCIDs reads an inventory file: one ICCID per line, blank lines
// skipped, surrounding quotes and spaces dropped. The ICCIDs are checked
// by whoever loads them, by position.
func ReadICCIDs(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := strings.Trim(strings.TrimSpace(sc.Text()), `"`); line != "" {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}
