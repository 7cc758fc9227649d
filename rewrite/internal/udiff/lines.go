package udiff

import (
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// maxNumbered is the number of distinct lines up to which go-diff's line
// mode encodes line i as rune(i): past it, it skips the surrogates.
const maxNumbered = 0xD800

// numberedOps computes the edit script that lineOps computes, from the
// same go-diff call on the same runes, without go-diff's line helpers:
// DiffLinesToRunes and DiffCharsToLines copy every line of both sides,
// and cost far more than the diff itself on the files queuefix changes (a
// few edited lines in a long file). Equal runs longer than twice the
// context keep only their ends; a gap op stands for the lines between.
// It returns false when the lines are too many to number as go-diff does.
func numberedOps(old, new string, context int) ([]op, bool) {
	a, b := splitLines(old), splitLines(new)
	ra, rb, ok := numberLines(a, b)
	if !ok {
		return nil, false
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // as in lineOps
	var ops []op
	ia, ib := 0, 0
	for _, d := range dmp.DiffMainRunes(ra, rb, false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			ops = appendOps(ops, '+', b[ib:ib+n])
			ib += n
		case diffmatchpatch.DiffDelete:
			ops = appendOps(ops, '-', a[ia:ia+n])
			ia += n
		default:
			ops = appendEqual(ops, a[ia:ia+n], context)
			ia, ib = ia+n, ib+n
		}
	}
	return ops, true
}

// numberLines numbers the distinct lines of a and then b from 1 in order
// of first appearance, as go-diff's DiffLinesToRunes does, and returns
// the two sides as runes.
func numberLines(a, b []string) ([]rune, []rune, bool) {
	ids := make(map[string]rune, len(a))
	number := func(lines []string) []rune {
		out := make([]rune, len(lines))
		for i, l := range lines {
			r, ok := ids[l]
			if !ok {
				r = rune(len(ids) + 1)
				ids[l] = r
			}
			out[i] = r
		}
		return out
	}
	ra, rb := number(a), number(b)
	return ra, rb, len(ids) < maxNumbered
}

// appendEqual appends the equal lines, or, when there are more than
// twice context of them, the first and last context with a gap between.
func appendEqual(ops []op, lines []string, context int) []op {
	if len(lines) <= 2*context+1 {
		return appendOps(ops, ' ', lines)
	}
	ops = appendOps(ops, ' ', lines[:context])
	ops = append(ops, op{kind: gap, skip: len(lines) - 2*context})
	return appendOps(ops, ' ', lines[len(lines)-context:])
}

// gap is the kind of an op that stands for skip equal lines.
const gap = 0
