package rewrite

import (
	"bytes"
	"go/format"
	"go/scanner"
	"go/token"
	"slices"
	"sort"
)

// relayout runs gofmt on the files the typed rule edits that were
// gofmt-clean before: a retyped field or a renamed literal key is longer,
// and gofmt aligns the types, values and comments of the lines around it
// with it. Since the file was gofmt-clean, gofmt changes only what the
// edits moved; it is kept only if it changes no token, so it cannot
// change what the verified edits wrote. The other rules' edits keep the
// length of what aligns (AddRateLimited → Add is in a statement) or
// insert whole statements, and their files are left as spliced.
//
// The findings' edits carry the new layout too (realign), so that a
// consumer of the edits (-json, SARIF) gets the file -w writes.
func relayout(files map[string]*File, spans map[Edit][2]int, findings []Finding) {
	typed := make(map[string]bool)
	for _, f := range findings {
		if f.Status == Change && f.Rule == RuleTyped {
			for _, e := range f.Edits {
				typed[e.File] = true
			}
		}
	}
	for name := range typed {
		nf := files[name]
		if was, err := format.Source(nf.Old); err != nil || !bytes.Equal(was, nf.Old) {
			continue
		}
		now, err := format.Source(nf.New)
		if err != nil || !sameTokens(nf.New, now) {
			continue
		}
		repl, extra, ok := realign(fileEdits(spans, name), spans, nf.New, now)
		if !ok {
			continue // the layout cannot be told apart from the edits: keep the splice
		}
		setEdits(findings, name, repl, extra)
		nf.New = now
	}
}

// fileEdits returns the distinct edits of a file, in the order of their
// offsets.
func fileEdits(spans map[Edit][2]int, name string) []Edit {
	var out []Edit
	for e := range spans {
		if e.File == name {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return spans[out[i]][0] < spans[out[j]][0] })
	return out
}

// setEdits replaces the file's edits in the change findings with their
// realigned twins, and adds each layout change of untouched bytes to the
// first finding that holds the edit it belongs to.
func setEdits(findings []Finding, name string, repl map[Edit]Edit, extra map[Edit][]Edit) {
	added := make(map[Edit]bool)
	for i := range findings {
		f := &findings[i]
		if f.Status != Change || len(f.Edits) == 0 || f.Edits[0].File != name {
			continue
		}
		var more []Edit
		for j, e := range f.Edits {
			if r, ok := repl[e]; ok {
				f.Edits[j] = r
			}
			if !added[e] {
				added[e] = true
				more = append(more, extra[e]...)
			}
		}
		if len(more) > 0 {
			f.Edits = append(f.Edits, more...)
			sort.SliceStable(f.Edits, func(a, b int) bool { return f.Edits[a].Offset < f.Edits[b].Offset })
		}
	}
}

// A layoutEdit replaces the space [from, to) of a file with text.
type layoutEdit struct {
	from, to int
	text     string
}

// realign expresses the layout changes from the spliced bytes to the
// formatted ones on the original file. A layout change that touches an
// edit's text is merged into that edit (repl, keyed by the edit); one in
// bytes no edit wrote becomes an edit of its own, given to the nearest
// edit (extra). It reports false when a layout change touches two edits.
func realign(edits []Edit, spans map[Edit][2]int, spliced, formatted []byte) (repl map[Edit]Edit, extra map[Edit][]Edit, ok bool) {
	changes, ok := layoutEdits(spliced, formatted)
	if !ok || len(edits) == 0 {
		return nil, nil, false
	}
	merged := make(map[Edit][]layoutEdit)
	extra = make(map[Edit][]Edit)
	for _, c := range changes {
		touched := slices.DeleteFunc(slices.Clone(edits), func(e Edit) bool {
			s := spans[e]
			return c.to < s[0] || c.from > s[1]
		})
		switch len(touched) {
		case 0:
			owner := nearest(edits, spans, c.from)
			at := originalOffset(edits, spans, c.from)
			extra[owner] = append(extra[owner], Edit{File: owner.File, Offset: at, End: at + c.to - c.from, New: c.text})
		case 1:
			merged[touched[0]] = append(merged[touched[0]], c)
		default:
			return nil, nil, false
		}
	}
	repl = make(map[Edit]Edit)
	for e, cs := range merged {
		repl[e] = mergeLayout(e, spans[e], cs, spliced)
	}
	return repl, extra, true
}

// mergeLayout widens edit e, whose text lies at span of the spliced
// bytes, over the layout changes cs that touch it.
func mergeLayout(e Edit, span [2]int, cs []layoutEdit, spliced []byte) Edit {
	from, to := span[0], span[1]
	for _, c := range cs {
		from, to = min(from, c.from), max(to, c.to)
	}
	var b bytes.Buffer
	last := from
	for _, c := range cs {
		b.Write(spliced[last:c.from])
		b.WriteString(c.text)
		last = c.to
	}
	b.Write(spliced[last:to])
	return Edit{File: e.File, Offset: e.Offset - (span[0] - from), End: e.End + (to - span[1]), New: b.String()}
}

// originalOffset returns the offset in the original file of a spliced
// offset that lies outside every edit's text.
func originalOffset(edits []Edit, spans map[Edit][2]int, at int) int {
	off := at
	for _, e := range edits {
		s := spans[e]
		if s[1] <= at {
			off = e.End + (at - s[1])
		}
	}
	return off
}

// nearest returns the edit whose text lies nearest a spliced offset.
func nearest(edits []Edit, spans map[Edit][2]int, at int) Edit {
	best, dist := edits[0], -1
	for _, e := range edits {
		s := spans[e]
		d := max(s[0]-at, at-s[1], 0)
		if dist < 0 || d < dist {
			best, dist = e, d
		}
	}
	return best
}

// layoutEdits returns the changes of space that turn from into to, in
// order, when the two differ in space alone; it reports false otherwise.
// Where they part, each has a run of space (maybe empty) before the next
// byte they agree on.
func layoutEdits(from, to []byte) ([]layoutEdit, bool) {
	var out []layoutEdit
	i, j := 0, 0
	for i < len(from) || j < len(to) {
		if i < len(from) && j < len(to) && from[i] == to[j] {
			i, j = i+1, j+1
			continue
		}
		a, b := i+spaceRun(from[i:]), j+spaceRun(to[j:])
		if a == i && b == j {
			return nil, false
		}
		out = append(out, layoutEdit{i, a, string(to[j:b])})
		i, j = a, b
	}
	return out, true
}

// spaceRun returns the length of the spaces, tabs and newlines b starts with.
func spaceRun(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t' || b[n] == '\n' || b[n] == '\r') {
		n++
	}
	return n
}

// sameTokens reports whether a and b hold the same Go tokens and comments,
// whatever the space between them.
func sameTokens(a, b []byte) bool {
	scan := func(src []byte) []string {
		var s scanner.Scanner
		fset := token.NewFileSet()
		s.Init(fset.AddFile("", -1, len(src)), src, nil, scanner.ScanComments)
		var out []string
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				return out
			}
			out = append(out, tok.String()+" "+lit)
		}
	}
	return slices.Equal(scan(a), scan(b))
}
