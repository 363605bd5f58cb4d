package sims

import (
	"fmt"
	"strings"
	"testing"
)

func iccid(n int) string { return WithCheckDigit(fmt.Sprintf("894900000%09d", n)) }

func TestCheckICCID(t *testing.T) {
	good := iccid(42)
	if len(good) != 19 || CheckICCID(good) != nil {
		t.Fatalf("%s: %v", good, CheckICCID(good))
	}
	long := WithCheckDigit("8949000000000000004")
	if len(long) != 20 || CheckICCID(long) != nil {
		t.Fatalf("%s: %v", long, CheckICCID(long))
	}
	bad := good[:18] + string(rune('0'+(good[18]-'0'+1)%10))
	for s, want := range map[string]error{bad: ErrCheckDigit, "123": ErrLength, "89490000000000000x1": ErrNotDigits, "abc": ErrNotDigits} {
		if got := CheckICCID(s); got != want {
			t.Errorf("CheckICCID(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseFileReportsEveryBadLine(t *testing.T) {
	a, b, c, d := iccid(1), iccid(10), iccid(5), iccid(20)
	bad := a[:18] + string(rune('0'+(a[18]-'0'+1)%10))
	file := strings.Join([]string{
		a + ";" + b,               // 1 ok
		"",                        // 2 blank
		`"` + d + `";"` + d + `"`, // 3 ok, quoted, one SIM
		c + ";" + d,               // 4 overlaps line 1
		bad + ";" + b,             // 5 bad check digit
		b + ";" + a,               // 6 start after end
		a + ";" + b + ";",         // 7 trailing semicolon
		a + ";" + b + ";" + c,     // 8 more than two fields
		"12345;67890",             // 9 bad ICCID
		a + "," + b,               // 10 comma
		`"` + a + ";" + b,         // 11 unbalanced quote
		d + ";" + d,               // 12 repeats line 3
	}, "\r\n")
	ranges, lines, problems := ParseFile(strings.NewReader("\xef\xbb\xbf" + file))
	if len(ranges) != 4 || lines[0] != 1 || lines[1] != 3 {
		t.Fatalf("ranges %v lines %v", ranges, lines)
	}
	want := map[int]string{4: "overlaps the range on line", 5: "check digit", 6: "start is after end", 7: "trailing semicolon",
		8: "more than two fields", 9: "ICCID has 19 or 20 digits", 10: "semicolon, not a comma", 11: "unbalanced quotes", 12: "repeats the range on line 3"}
	if len(problems) != len(want)+1 { // line 4 overlaps two ranges
		t.Fatalf("problems %v", problems)
	}
	for _, p := range problems {
		if !strings.Contains(p.Reason, want[p.Line]) || want[p.Line] == "" {
			t.Errorf("line %d: %q, want %q", p.Line, p.Reason, want[p.Line])
		}
	}
}

func TestParseFileLimits(t *testing.T) {
	if _, _, p := ParseFile(strings.NewReader("\n\n")); len(p) != 1 || !strings.Contains(p[0].Reason, "no ranges") {
		t.Fatalf("empty: %v", p)
	}
	big := strings.Repeat(iccid(1)+";"+iccid(1)+"\n", MaxFileSize/39+1)
	if _, _, p := ParseFile(strings.NewReader(big)); len(p) != 1 || !strings.Contains(p[0].Reason, "too large") {
		t.Fatalf("big: %v", p[:1])
	}
}

// FuzzParseFile: no input makes the parser panic, and every accepted file
// reads back the same after formatting.
func FuzzParseFile(f *testing.F) {
	a, b := iccid(1), iccid(9)
	for _, seed := range []string{a + ";" + b + "\n", `"` + a + `";"` + a + `"`, a + ";" + b + ";", "x;y", "\n\n", a + ";" + b + "\r\n" + b + ";" + b,
		WithCheckDigit("8949000000000000001") + ";" + WithCheckDigit("8949000000000000009")} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ranges, _, problems := ParseFile(strings.NewReader(in))
		if len(problems) > 0 {
			return
		}
		again, _, problems := ParseFile(strings.NewReader(Format(ranges)))
		if len(problems) > 0 || len(again) != len(ranges) {
			t.Fatalf("round trip of %q: %v %v", in, again, problems)
		}
		for i := range ranges {
			if ranges[i] != again[i] || ranges[i].Check().Format != "" {
				t.Fatalf("round trip changed %v to %v", ranges[i], again[i])
			}
		}
	})
}

func BenchmarkParseFile(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 100_000; i++ {
		s := iccid(i * 10)
		fmt.Fprintf(&sb, "%s;%s\n", s, s)
	}
	file := sb.String()
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		_, _, p := ParseFile(strings.NewReader(file))
		if len(p) != 0 {
			b.Fatal(p[0])
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "lines/s")
}

func TestSafeCellNeutralisesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+49": "'+49", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "8949000000000000001": "8949000000000000001", "": ""} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrevAndNextStepOneBody(t *testing.T) {
	for _, c := range []struct{ iccid, prev, next string }{
		{WithCheckDigit("894900000000000010"), WithCheckDigit("894900000000000009"), WithCheckDigit("894900000000000011")},
		{WithCheckDigit("9999999999999999998"), WithCheckDigit("9999999999999999997"), WithCheckDigit("9999999999999999999")},
		{WithCheckDigit("000000000000000001"), WithCheckDigit("000000000000000000"), WithCheckDigit("000000000000000002")},
	} {
		if got := Prev(c.iccid); got != c.prev {
			t.Errorf("Prev(%s) = %s, want %s", c.iccid, got, c.prev)
		}
		if got := Next(c.iccid); got != c.next {
			t.Errorf("Next(%s) = %s, want %s", c.iccid, got, c.next)
		}
		if (Range{Start: Prev(c.iccid), End: Next(c.iccid)}).Size() != 3 {
			t.Errorf("%s: the range from Prev to Next spans not 3", c.iccid)
		}
	}
}
