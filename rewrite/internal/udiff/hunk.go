package udiff

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// hunk is the half-open range ops[lo:hi] printed as one @@ section.
type hunk struct{ lo, hi int }

// hunks groups the changed ops with context lines on each side. Like git
// (xdiff) it merges two changes when at most 2*context equal lines separate
// them, i.e. when their contexts overlap or touch.
func hunks(ops []op, context int) []hunk {
	var hs []hunk
	for i, o := range ops {
		if o.kind == ' ' || o.kind == gap {
			continue
		}
		hi := min(len(ops), i+1+context)
		if n := len(hs); n > 0 && i-context <= hs[n-1].hi {
			hs[n-1].hi = hi
			continue
		}
		hs = append(hs, hunk{max(0, i-context), hi})
	}
	return hs
}

// writeHunk writes the @@ header and body of ops; oldLine and newLine are
// the numbers of lines of each side that precede the hunk.
func writeHunk(buf *bytes.Buffer, ops []op, oldLine, newLine int) {
	oldCount, newCount := 0, 0
	for _, o := range ops {
		oldCount, newCount = advance(o, oldCount, newCount)
	}
	fmt.Fprintf(buf, "@@ -%s +%s @@\n",
		hunkRange(oldLine, oldCount), hunkRange(newLine, newCount))
	for _, o := range ops {
		buf.WriteByte(o.kind)
		buf.WriteString(o.line)
		if !strings.HasSuffix(o.line, "\n") {
			// Only the last line of a side can lack "\n"; git marks it.
			buf.WriteString("\n" + noNewline)
		}
	}
}

// hunkRange formats one side of a hunk header the way git and GNU diff do:
// "l" when count is 1, "l,c" otherwise, and for an empty side l is the line
// before the (empty) range, so "0,0" for an empty file.
func hunkRange(before, count int) string {
	switch count {
	case 0:
		return strconv.Itoa(before) + ",0"
	case 1:
		return strconv.Itoa(before + 1)
	}
	return strconv.Itoa(before+1) + "," + strconv.Itoa(count)
}
