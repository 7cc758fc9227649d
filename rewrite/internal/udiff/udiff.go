// Package udiff produces git-style unified diffs that `git apply` and
// `patch -p1` accept.
//
// The line alignment comes from github.com/sergi/go-diff in line mode; the
// hunks, headers and "\ No newline at end of file" markers are written here
// to match git's output byte for byte, with two differences: there is no
// "index" line, and @@ lines carry no function-name heading (git appends the
// last line before the hunk that starts with a letter). git apply and patch
// need neither. Paths are quoted the way git quotes them by default.
package udiff

import (
	"bytes"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// DefaultContext is the number of context lines git uses by default.
const DefaultContext = 3

const noNewline = "\\ No newline at end of file\n"

// Unified returns a git-style unified diff of old -> new for the file at path
// (slash-separated, relative), with 3 lines of context:
//
//	diff --git a/P b/P
//	--- a/P
//	+++ b/P
//	@@ -l,s +l,s @@
//
// It returns nil when old and new are equal.
func Unified(path string, old, new []byte) []byte {
	return UnifiedContext(path, old, new, DefaultContext)
}

// UnifiedContext is Unified with context lines of context around each
// change. A negative context is treated as 0.
func UnifiedContext(path string, old, new []byte, context int) []byte {
	return WithHeader(path, Hunks(old, new, context))
}

// WithHeader returns the diff of the file at path whose hunks Hunks
// returned: the same bytes Unified returns, in two steps, so that the
// hunks can be computed before the path they will be shown under is known.
func WithHeader(path string, hunks []byte) []byte {
	if hunks == nil {
		return nil
	}
	var buf bytes.Buffer
	buf.Grow(len(hunks) + 3*len(path) + 40)
	writeHeader(&buf, path)
	buf.Write(hunks)
	return buf.Bytes()
}

// Hunks returns the hunks of the diff of old -> new (no header), or nil
// when they are equal.
func Hunks(old, new []byte, context int) []byte {
	if bytes.Equal(old, new) {
		return nil
	}
	context = max(context, 0)
	return writeHunks(editScript(string(old), string(new), context), context)
}

// writeHunks returns the hunks of ops.
func writeHunks(ops []op, context int) []byte {
	var buf bytes.Buffer
	oldLine, newLine, next := 0, 0, 0
	for _, h := range hunks(ops, context) {
		// Count the lines skipped since the previous hunk so headers
		// carry absolute line numbers.
		for ; next < h.lo; next++ {
			oldLine, newLine = advance(ops[next], oldLine, newLine)
		}
		writeHunk(&buf, ops[h.lo:h.hi], oldLine, newLine)
	}
	return buf.Bytes()
}

// op is one line of the edit script: kind is ' ', '-' or '+', and line
// includes its "\n" unless it is the unterminated last line of a side.
// An op of kind gap stands for skip equal lines instead.
type op struct {
	kind byte
	line string
	skip int
}

var opKind = map[diffmatchpatch.Operation]byte{
	diffmatchpatch.DiffEqual:  ' ',
	diffmatchpatch.DiffDelete: '-',
	diffmatchpatch.DiffInsert: '+',
}

// maxLines bounds the distinct lines handed to go-diff: its line mode
// encodes each distinct line of both inputs as one rune and panics past
// about 1,112,000 of them. A variable so tests can exercise the fallback.
var maxLines = 1_100_000

// editScript returns the line-level edit script of old -> new, with at
// least context equal lines kept around each change.
func editScript(old, new string, context int) []op {
	if !tooManyLines(old, new) {
		if ops, ok := numberedOps(old, new, context); ok {
			return ops
		}
	}
	return lineOps(old, new)
}

// lineOps computes the line-level edit script with go-diff in line mode.
func lineOps(old, new string) []op {
	if tooManyLines(old, new) {
		return replaceOps(splitLines(old), splitLines(new))
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // no deadline: always the minimal diff, deterministically
	a, b, lines := dmp.DiffLinesToRunes(old, new)
	diffs := dmp.DiffMainRunes(a, b, false)
	diffs = dmp.DiffCharsToLines(diffs, lines)
	var ops []op
	for _, d := range diffs {
		ops = appendOps(ops, opKind[d.Type], splitLines(d.Text))
	}
	return ops
}

// tooManyLines reports whether old and new hold more than maxLines
// distinct lines; counting newlines first keeps the common case cheap.
func tooManyLines(old, new string) bool {
	if strings.Count(old, "\n")+strings.Count(new, "\n")+2 <= maxLines {
		return false
	}
	seen := make(map[string]bool)
	for _, l := range append(splitLines(old), splitLines(new)...) {
		seen[l] = true
	}
	return len(seen) > maxLines
}

// replaceOps is the fallback for inputs too big for go-diff: it keeps the
// common leading and trailing lines and replaces everything in between.
// The diff is valid but not minimal.
func replaceOps(a, b []string) []op {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	ops := make([]op, 0, len(a)+len(b)-p-s)
	ops = appendOps(ops, ' ', a[:p])
	ops = appendOps(ops, '-', a[p:len(a)-s])
	ops = appendOps(ops, '+', b[p:len(b)-s])
	return appendOps(ops, ' ', a[len(a)-s:])
}

func appendOps(ops []op, kind byte, lines []string) []op {
	for _, l := range lines {
		ops = append(ops, op{kind: kind, line: l})
	}
	return ops
}

// splitLines splits s after each "\n", keeping the terminators (so "\r\n"
// survives) and keeping a final unterminated line.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// advance returns the old and new line counters after o.
func advance(o op, oldLine, newLine int) (int, int) {
	if o.kind == gap {
		return oldLine + o.skip, newLine + o.skip
	}
	if o.kind != '+' {
		oldLine++
	}
	if o.kind != '-' {
		newLine++
	}
	return oldLine, newLine
}
