package udiff

import (
	"fmt"
	"strings"
	"testing"
)

// numbered returns "l01\n".."lNN\n" for lines from..to.
func numbered(from, to int) string {
	var sb strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&sb, "l%02d\n", i)
	}
	return sb.String()
}

// swap replaces the whole line old (without "\n") by repl in s.
func swap(s, old, repl string) string {
	return strings.Replace(s, old+"\n", repl+"\n", 1)
}

type tableCase struct {
	name     string
	path     string // "f.txt" when empty
	old, new string
	ctx      *int // Unified when nil, UnifiedContext otherwise
	want     string
}

func (tc tableCase) file() string {
	if tc.path == "" {
		return "f.txt"
	}
	return tc.path
}

func (tc tableCase) context() int {
	if tc.ctx == nil {
		return DefaultContext
	}
	return *tc.ctx
}

func (tc tableCase) diff() []byte {
	if tc.ctx == nil {
		return Unified(tc.file(), []byte(tc.old), []byte(tc.new))
	}
	return UnifiedContext(tc.file(), []byte(tc.old), []byte(tc.new), *tc.ctx)
}

const hdr = "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n"

const nine = "a\nb\nc\nd\ne\nf\ng\nh\ni\n"

var tableCases = []tableCase{
	{name: "replace middle line", old: nine, new: swap(nine, "e", "E"),
		want: hdr + "@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"},
	{name: "insert at start", old: nine, new: "new\n" + nine,
		want: hdr + "@@ -1,3 +1,4 @@\n+new\n a\n b\n c\n"},
	{name: "insert at end", old: nine, new: nine + "j\n",
		want: hdr + "@@ -7,3 +7,4 @@\n g\n h\n i\n+j\n"},
	{name: "insert in middle", old: nine, new: swap(nine, "e", "e\nX\nY"),
		want: hdr + "@@ -3,6 +3,8 @@\n c\n d\n e\n+X\n+Y\n f\n g\n h\n"},
	{name: "delete line", old: nine, new: "a\nb\nc\nd\nf\ng\nh\ni\n",
		want: hdr + "@@ -2,7 +2,6 @@\n b\n c\n d\n-e\n f\n g\n h\n"},
	{name: "delete first lines", old: nine, new: nine[4:],
		want: hdr + "@@ -1,5 +1,3 @@\n-a\n-b\n c\n d\n e\n"},
	{name: "two distant hunks", old: numbered(1, 20),
		new: swap(swap(numbered(1, 20), "l02", "L02"), "l19", "L19"),
		want: hdr + "@@ -1,5 +1,5 @@\n l01\n-l02\n+L02\n l03\n l04\n l05\n" +
			"@@ -16,5 +16,5 @@\n l16\n l17\n l18\n-l19\n+L19\n l20\n"},
	{name: "close hunks merged when contexts touch", old: numbered(1, 20),
		new: swap(swap(numbered(1, 20), "l05", "L05"), "l12", "L12"),
		want: hdr + "@@ -2,14 +2,14 @@\n l02\n l03\n l04\n-l05\n+L05\n" +
			" l06\n l07\n l08\n l09\n l10\n l11\n-l12\n+L12\n l13\n l14\n l15\n"},
	{name: "hunks split when one line apart", old: numbered(1, 20),
		new: swap(swap(numbered(1, 20), "l05", "L05"), "l13", "L13"),
		want: hdr + "@@ -2,7 +2,7 @@\n l02\n l03\n l04\n-l05\n+L05\n l06\n l07\n l08\n" +
			"@@ -10,7 +10,7 @@\n l10\n l11\n l12\n-l13\n+L13\n l14\n l15\n l16\n"},
	{name: "no newline, last line changed", old: "a\nb\nc", new: "a\nb\nC",
		want: hdr + "@@ -1,3 +1,3 @@\n a\n b\n-c\n" + noNewline + "+C\n" + noNewline},
	{name: "no newline, last line far from change",
		old:  strings.TrimSuffix(numbered(1, 20), "\n"),
		new:  swap(strings.TrimSuffix(numbered(1, 20), "\n"), "l02", "L02"),
		want: hdr + "@@ -1,5 +1,5 @@\n l01\n-l02\n+L02\n l03\n l04\n l05\n"},
	{name: "no newline, last line is context",
		old:  strings.TrimSuffix(numbered(1, 20), "\n"),
		new:  swap(strings.TrimSuffix(numbered(1, 20), "\n"), "l17", "L17"),
		want: hdr + "@@ -14,7 +14,7 @@\n l14\n l15\n l16\n-l17\n+L17\n l18\n l19\n l20\n" + noNewline},
	{name: "no newline, append after last line", old: "a\nb\nc", new: "a\nb\nc\nd",
		want: hdr + "@@ -1,3 +1,4 @@\n a\n b\n-c\n" + noNewline + "+c\n+d\n" + noNewline},
	{name: "add final newline", old: "a\nb\nc", new: "a\nb\nc\n",
		want: hdr + "@@ -1,3 +1,3 @@\n a\n b\n-c\n" + noNewline + "+c\n"},
	{name: "remove final newline", old: "a\nb\nc\n", new: "a\nb\nc",
		want: hdr + "@@ -1,3 +1,3 @@\n a\n b\n-c\n+c\n" + noNewline},
	{name: "crlf file", old: "a\r\nb\r\nc\r\nd\r\n", new: "a\r\nb\r\nC\r\nd\r\n",
		want: hdr + "@@ -1,4 +1,4 @@\n a\r\n b\r\n-c\r\n+C\r\n d\r\n"},
	{name: "crlf to lf on one line", old: "a\r\nb\r\nc\r\n", new: "a\r\nb\nc\r\n",
		want: hdr + "@@ -1,3 +1,3 @@\n a\r\n-b\r\n+b\n c\r\n"},
	{name: "single line file", old: "a\n", new: "b\n",
		want: hdr + "@@ -1 +1 @@\n-a\n+b\n"},
	{name: "from empty", old: "", new: "a\nb\nc\n",
		want: hdr + "@@ -0,0 +1,3 @@\n+a\n+b\n+c\n"},
	{name: "to empty", old: "a\nb\nc\n", new: "",
		want: hdr + "@@ -1,3 +0,0 @@\n-a\n-b\n-c\n"},
	{name: "from empty, no newline", old: "", new: "a",
		want: hdr + "@@ -0,0 +1 @@\n+a\n" + noNewline},
	{name: "zero context insertion", old: nine, new: swap(nine, "e", "e\nX"), ctx: new(0),
		want: hdr + "@@ -5,0 +6 @@\n+X\n"},
	{name: "zero context deletion", old: nine, new: "a\nb\nc\nd\nf\ng\nh\ni\n", ctx: new(0),
		want: hdr + "@@ -5 +4,0 @@\n-e\n"},
	{name: "one context line, contexts touch", old: numbered(1, 9),
		new: swap(swap(numbered(1, 9), "l03", "L03"), "l06", "L06"), ctx: new(1),
		want: hdr + "@@ -2,6 +2,6 @@\n l02\n-l03\n+L03\n l04\n l05\n-l06\n+L06\n l07\n"},
	{name: "one context line, split", old: numbered(1, 9),
		new: swap(swap(numbered(1, 9), "l03", "L03"), "l07", "L07"), ctx: new(1),
		want: hdr + "@@ -2,3 +2,3 @@\n l02\n-l03\n+L03\n l04\n@@ -6,3 +6,3 @@\n l06\n-l07\n+L07\n l08\n"},
	{name: "path with space", path: "dir/a b.go", old: "a\n", new: "b\n",
		want: "diff --git a/dir/a b.go b/dir/a b.go\n--- a/dir/a b.go\t\n+++ b/dir/a b.go\t\n" +
			"@@ -1 +1 @@\n-a\n+b\n"},
	{name: "path needing quotes", path: "dir/t\th\"\u00e9.go", old: "a\n", new: "b\n",
		want: `diff --git "a/dir/t\th\"\303\251.go" "b/dir/t\th\"\303\251.go"` + "\n" +
			`--- "a/dir/t\th\"\303\251.go"` + "\n" + `+++ "b/dir/t\th\"\303\251.go"` + "\n" +
			"@@ -1 +1 @@\n-a\n+b\n"},
}

func TestUnifiedTable(t *testing.T) {
	for _, tc := range tableCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(tc.diff()); got != tc.want {
				t.Errorf("path %q old %q new %q ctx %d\ngot:\n%s\nwant:\n%s",
					tc.file(), tc.old, tc.new, tc.context(), got, tc.want)
			}
			if err := checkDiff([]byte(tc.old), []byte(tc.new), tc.diff(), tc.context()); err != nil {
				t.Errorf("old %q new %q: strict apply: %v", tc.old, tc.new, err)
			}
		})
	}
}

func TestUnifiedEqualIsNil(t *testing.T) {
	for _, s := range []string{"", "a", "a\n", nine, "a\r\nb"} {
		if got := Unified("f.txt", []byte(s), []byte(s)); got != nil {
			t.Errorf("Unified(%q, %q): got %q, want nil", s, s, got)
		}
	}
	if got := Unified("f.txt", nil, []byte{}); got != nil {
		t.Errorf("Unified(nil, empty): got %q, want nil", got)
	}
}

func TestUnifiedNegativeContext(t *testing.T) {
	old, new := []byte(nine), []byte(swap(nine, "e", "E"))
	got, want := UnifiedContext("f.txt", old, new, -5), UnifiedContext("f.txt", old, new, 0)
	if string(got) != string(want) {
		t.Errorf("context -5: got:\n%s\nwant (context 0):\n%s", got, want)
	}
}

// TestFallback checks the strict properties of the fallback diff.
func TestFallback(t *testing.T) {
	defer func(n int) { maxLines = n }(maxLines)
	maxLines = 0
	for _, tc := range tableCases {
		if err := checkDiff([]byte(tc.old), []byte(tc.new), tc.diff(), tc.context()); err != nil {
			t.Errorf("%s: old %q new %q\ndiff:\n%s\n%v", tc.name, tc.old, tc.new, tc.diff(), err)
		}
	}
	got := string(Unified("f.txt", []byte(numbered(1, 20)), []byte(swap(swap(numbered(1, 20), "l05", "L05"), "l07", "L07"))))
	want := hdr + "@@ -2,9 +2,9 @@\n l02\n l03\n l04\n-l05\n-l06\n-l07\n+L05\n+l06\n+L07\n l08\n l09\n l10\n"
	if got != want {
		t.Errorf("fallback diff of l05, l07 changes: got:\n%s\nwant:\n%s", got, want)
	}
}

// TestHugeInput makes sure inputs past go-diff's rune encoding limit get a
// correct diff instead of a panic.
func TestHugeInput(t *testing.T) {
	var sb strings.Builder
	for i := range 1_200_000 {
		fmt.Fprintf(&sb, "line %d\n", i)
	}
	old := sb.String()
	new := strings.Replace(old, "line 600000\n", "changed\n", 1) + "tail"
	diff := Unified("f.txt", []byte(old), []byte(new))
	if err := checkDiff([]byte(old), []byte(new), diff, DefaultContext); err != nil {
		t.Errorf("1.2M-line input: %v\ndiff:\n%.2000s", err, diff)
	}
}
