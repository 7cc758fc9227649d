package udiff

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file holds a tiny, strict patch applier used by the fuzz target and
// the git cross-check. Unlike git apply and patch it never searches for
// context at other offsets, so wrong line numbers in headers are caught.

type parsedHunk struct {
	oldStart, oldCount, newStart, newCount int
	body                                   []op
}

// first returns the 0-based index of the first line of a side: for an
// empty side the header names the line before it.
func first(start, count int) int {
	if count == 0 {
		return start
	}
	return start - 1
}

var hunkHeaderRE = regexp.MustCompile(`^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@\n$`)

// parseRange parses "l" or "l,c"; git never writes ",1".
func parseRange(start, count string) (int, int, error) {
	s, _ := strconv.Atoi(start)
	if count == "" {
		return s, 1, nil
	}
	c, _ := strconv.Atoi(count[1:])
	if c == 1 || (c > 0 && s == 0) {
		return 0, 0, fmt.Errorf("non-canonical range %s%s", start, count)
	}
	return s, c, nil
}

func parseHunkHeader(line string) (parsedHunk, error) {
	m := hunkHeaderRE.FindStringSubmatch(line)
	if m == nil {
		return parsedHunk{}, fmt.Errorf("bad hunk header %q", line)
	}
	var h parsedHunk
	var err1, err2 error
	h.oldStart, h.oldCount, err1 = parseRange(m[1], m[2])
	h.newStart, h.newCount, err2 = parseRange(m[3], m[4])
	if err1 != nil || err2 != nil {
		return h, fmt.Errorf("header %q: %v %v", line, err1, err2)
	}
	return h, nil
}

// parseDiff checks the three header lines and returns the hunks.
func parseDiff(diff []byte) ([]parsedHunk, error) {
	lines := splitLines(string(diff))
	if len(lines) < 4 {
		return nil, fmt.Errorf("diff too short: %q", diff)
	}
	for i, p := range []string{"diff --git ", "--- ", "+++ "} {
		if !strings.HasPrefix(lines[i], p) {
			return nil, fmt.Errorf("line %d: want prefix %q, got %q", i+1, p, lines[i])
		}
	}
	var hs []parsedHunk
	for _, l := range lines[3:] {
		if err := parseLine(&hs, l); err != nil {
			return nil, err
		}
	}
	return hs, nil
}

// parseLine adds one diff line to the hunks parsed so far.
func parseLine(hs *[]parsedHunk, l string) error {
	if strings.HasPrefix(l, "@@ ") {
		h, err := parseHunkHeader(l)
		*hs = append(*hs, h)
		return err
	}
	if len(*hs) == 0 || !strings.HasSuffix(l, "\n") {
		return fmt.Errorf("unexpected line %q", l)
	}
	h := &(*hs)[len(*hs)-1]
	switch {
	case l == noNewline:
		n := len(h.body)
		if n == 0 || !strings.HasSuffix(h.body[n-1].line, "\n") {
			return fmt.Errorf("misplaced %q", l)
		}
		h.body[n-1].line = strings.TrimSuffix(h.body[n-1].line, "\n")
	case l[0] == ' ' || l[0] == '-' || l[0] == '+':
		h.body = append(h.body, op{kind: l[0], line: l[1:]})
	default:
		return fmt.Errorf("unexpected line %q", l)
	}
	return nil
}

// applyDiff applies diff to old, requiring exact line numbers and context.
func applyDiff(old, diff []byte) ([]byte, error) {
	hs, err := parseDiff(diff)
	if err != nil {
		return nil, err
	}
	oldLines := splitLines(string(old))
	var out []string
	pos := 0
	for i, h := range hs {
		at := first(h.oldStart, h.oldCount)
		if at < pos || at > len(oldLines) {
			return nil, fmt.Errorf("hunk %d: old start %d out of order or range", i+1, h.oldStart)
		}
		out = append(out, oldLines[pos:at]...)
		if first(h.newStart, h.newCount) != len(out) {
			return nil, fmt.Errorf("hunk %d: new start %d, want line %d", i+1, h.newStart, len(out)+1)
		}
		if pos, out, err = applyHunk(h, oldLines, at, out); err != nil {
			return nil, fmt.Errorf("hunk %d: %v", i+1, err)
		}
	}
	out = append(out, oldLines[pos:]...)
	return []byte(strings.Join(out, "")), nil
}

// applyHunk applies h at oldLines[pos:], appending to out.
func applyHunk(h parsedHunk, oldLines []string, pos int, out []string) (int, []string, error) {
	oldCount, newCount := 0, 0
	for _, o := range h.body {
		oldCount, newCount = advance(o, oldCount, newCount)
		if o.kind != '+' {
			if pos >= len(oldLines) || oldLines[pos] != o.line {
				return pos, out, fmt.Errorf("line %d: %q does not match %q", pos+1, o.line, at(oldLines, pos))
			}
			pos++
		}
		if o.kind != '-' {
			out = append(out, o.line)
		}
	}
	if oldCount != h.oldCount || newCount != h.newCount {
		return pos, out, fmt.Errorf("body has -%d +%d lines, header says -%d +%d",
			oldCount, newCount, h.oldCount, h.newCount)
	}
	return pos, out, nil
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<EOF>"
}

// checkShape checks that hunks look like git's with ctx lines of context:
// full context unless at a file edge, merged when contexts would touch,
// and deletions before insertions within a change.
func checkShape(hs []parsedHunk, oldLen, ctx int) error {
	end := -1
	for i, h := range hs {
		start := first(h.oldStart, h.oldCount)
		if start <= end {
			return fmt.Errorf("hunk %d starts at old line %d, touching the previous hunk", i+1, start+1)
		}
		end = start + h.oldCount
		if err := checkRuns(h.body, ctx, start == 0, end == oldLen); err != nil {
			return fmt.Errorf("hunk %d: %v", i+1, err)
		}
	}
	return nil
}

// checkRuns checks the runs of context lines in one hunk body.
func checkRuns(body []op, ctx int, atStart, atEnd bool) error {
	var runs []int // lengths of context runs, one before each change and one at the end
	run, changes := 0, 0
	for i, o := range body {
		if o.kind == ' ' {
			run++
			continue
		}
		if o.kind == '-' && i > 0 && body[i-1].kind == '+' {
			return fmt.Errorf("deletion after insertion at body line %d", i+1)
		}
		runs, run, changes = append(runs, run), 0, changes+1
	}
	runs = append(runs, run)
	switch lead, trail := runs[0], runs[len(runs)-1]; {
	case changes == 0:
		return fmt.Errorf("hunk without changes")
	case lead > ctx || (lead < ctx && !atStart):
		return fmt.Errorf("%d leading context lines, want %d", lead, ctx)
	case trail > ctx || (trail < ctx && !atEnd):
		return fmt.Errorf("%d trailing context lines, want %d", trail, ctx)
	}
	for _, r := range runs[1 : len(runs)-1] {
		if r > 2*ctx {
			return fmt.Errorf("%d context lines inside a hunk, should have split", r)
		}
	}
	return nil
}

// checkDiff applies diff to old with the strict applier, checks the hunk
// shape and returns an error unless the result is new.
func checkDiff(old, new, diff []byte, ctx int) error {
	got, err := applyDiff(old, diff)
	if err != nil {
		return fmt.Errorf("apply: %v", err)
	}
	if string(got) != string(new) {
		return fmt.Errorf("apply: got %q, want %q", got, new)
	}
	hs, _ := parseDiff(diff)
	return checkShape(hs, len(splitLines(string(old))), ctx)
}
