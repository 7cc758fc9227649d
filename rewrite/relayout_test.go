package rewrite

import (
	"go/format"
	"slices"
	"strings"
	"testing"
)

// TestRealign expresses gofmt's layout of spliced edits as edits on the
// original bytes: applied together, the edits (each merged with the
// layout change it touches) and the layout changes of untouched lines
// must give the formatted file byte for byte.
func TestRealign(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		edits     [][2]string // old text (its first occurrence) -> new
		merged    int         // edits a layout change touches
	}{{
		name: "neighbours",
		src: `package p

type C struct {
	queue RateLimitingInterface // keys
	name  string                // for logs
}
`,
		edits: [][2]string{{"RateLimitingInterface", "TypedRateLimitingInterface[string]"}},
	}, {
		name: "spaces around the edit",
		src: `package p

type C struct {
	q                     RateLimitingInterface // keys
	aVeryLongFieldNameToo int                   // count
}
`,
		edits: [][2]string{{"RateLimitingInterface", "TypedRateLimitingInterface[string]"}},
	}, {
		name: "shorter",
		src: `package p

type C struct {
	queue RateLimitingInterface // keys
	n     int                   // count
}
`,
		edits: [][2]string{{"RateLimitingInterface", "Q"}},
	}, {
		name: "space before an edited value",
		src: `package p

var x = T{
	RateLimiter:    New(1, 2),
	somewhatLonger: 3,
}
`,
		edits: [][2]string{{"RateLimiter", "TypedRateLimiter"}, {"New", "NewTyped[string]"}},
		// the space between the longest key and its value shrinks, up to
		// the value's edit
		merged: 1,
	}, {
		name: "literal keys",
		src: `package p

var x = T{
	RateLimiter: New(1, 2),
	base:        3,
	other:       4,
}
`,
		edits: [][2]string{{"RateLimiter", "TypedRateLimiter"}, {"New", "NewTyped[string]"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			old := []byte(tc.src)
			var edits []Edit
			for _, e := range tc.edits {
				i := strings.Index(tc.src, e[0])
				edits = append(edits, Edit{File: "f.go", Offset: i, End: i + len(e[0]), New: e[1]})
			}
			spans := make(map[Edit][2]int)
			spliced := spliceEdits(old, slices.Clone(edits), spans)
			formatted, err := format.Source(spliced)
			if err != nil {
				t.Fatal(err)
			}
			repl, extra, ok := realign(edits, spans, spliced, formatted)
			if !ok {
				t.Fatalf("realign refused\nspliced:\n%s", spliced)
			}
			var all []Edit
			for _, e := range edits {
				all = append(all, extra[e]...)
				if r, ok := repl[e]; ok {
					e = r
				}
				all = append(all, e)
			}
			if len(repl) != tc.merged {
				t.Errorf("%d edits merged with a layout change, want %d: %v", len(repl), tc.merged, repl)
			}
			got := spliceEdits(old, all, map[Edit][2]int{})
			if string(got) != string(formatted) {
				t.Errorf("source:\n%s\nedits %v\nrealigned %v\napplied:\n%s\nwant (gofmt):\n%s", tc.src, edits, all, got, formatted)
			}
		})
	}
}

// TestLayoutEdits checks the edits from a file to the same tokens laid
// out anew: only the space between tokens changes, and a change of a
// token is refused.
func TestLayoutEdits(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     []layoutEdit
		ok       bool
	}{
		{"a  b", "a b", []layoutEdit{{2, 3, ""}}, true},
		{"f (x)", "f(x)", []layoutEdit{{1, 2, ""}}, true},
		{"a+b", "a + b", []layoutEdit{{1, 1, " "}, {2, 2, " "}}, true},
		{"a\t// c\n", "a // c\n", []layoutEdit{{1, 2, " "}}, true},
		{"x", "x", nil, true},
		{"a b", "a c", nil, false},
		{"a", "a b", nil, false},
	} {
		got, ok := layoutEdits([]byte(tc.from), []byte(tc.to))
		if ok != tc.ok || ok && !slices.Equal(got, tc.want) {
			t.Errorf("layoutEdits(%q, %q) = %v, %v; want %v, %v", tc.from, tc.to, got, ok, tc.want, tc.ok)
		}
	}
}
