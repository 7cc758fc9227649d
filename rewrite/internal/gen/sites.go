package gen

import (
	"fmt"
	"strings"
)

// A Hunk is one changed region of a file: the lines [From, To) of the
// original (0-based) replaced by New.
type Hunk struct {
	From, To int
	New      []string
	At       int // where New starts in the new file
}

// A SiteVerdict says how one changed region of a migration compares.
type SiteVerdict string

const (
	Agree  SiteVerdict = "agree"  // queuefix wrote what the authors wrote
	Differ SiteVerdict = "differ" // both changed the region, differently
	Missed SiteVerdict = "missed" // the authors changed it, queuefix did not
	Extra  SiteVerdict = "extra"  // queuefix changed it, the authors did not
)

// A SiteResult is one region of the original that the authors' migration or
// queuefix's changed, with both versions of it.
type SiteResult struct {
	Verdict SiteVerdict
	Line    int      // 1-based line in the original
	Old     []string // the original lines
	Authors []string // what the authors wrote there
	Ours    []string // what queuefix wrote there
}

// CompareSites compares queuefix's migration of before (ours) with the
// authors' (authors), region by region of before. Lines compare with
// their spacing collapsed, so that gofmt alignment does not count.
func CompareSites(before, authors, ours string) []SiteResult {
	old := lines(before)
	a, q := Hunks(old, lines(authors)), Hunks(old, lines(ours))
	var out []SiteResult
	used := make([]bool, len(q))
	for _, h := range a {
		r := SiteResult{Line: h.From + 1, Old: old[h.From:h.To], Authors: h.New, Verdict: Missed}
		var mine []Hunk
		for i, g := range q {
			if overlaps(h, g) {
				used[i] = true
				mine = append(mine, g)
			}
		}
		if len(mine) > 0 {
			r.Verdict = Differ
			r.Ours = spliced(old, lines(ours), h, mine)
			if len(mine) == 1 && mine[0].From == h.From && mine[0].To == h.To && same(h.New, mine[0].New) {
				r.Verdict = Agree
			}
		}
		out = append(out, r)
	}
	for i, g := range q {
		if !used[i] {
			out = append(out, SiteResult{Verdict: Extra, Line: g.From + 1, Old: old[g.From:g.To], Authors: old[g.From:g.To], Ours: g.New})
		}
	}
	return out
}

// spliced is the region of h as queuefix wrote it: the lines of ours
// from where the first of its hunks hs starts to where the last ends,
// widened by the unchanged lines of h around them.
func spliced(old, ours []string, h Hunk, hs []Hunk) []string {
	first, last := hs[0], hs[len(hs)-1]
	from := first.At - max(0, first.From-h.From)
	to := last.At + len(last.New) + max(0, h.To-last.To)
	return ours[max(0, from):min(len(ours), to)]
}

// overlaps reports whether two hunks touch the same lines of the
// original; insertions at the same place count.
func overlaps(a, b Hunk) bool {
	if a.From == a.To || b.From == b.To {
		return a.From <= b.To && b.From <= a.To
	}
	return a.From < b.To && b.From < a.To
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if squash(a[i]) != squash(b[i]) {
			return false
		}
	}
	return true
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// Hunks returns the changed regions from a to b, by a longest common
// subsequence of lines (the files are controller-sized).
func Hunks(a, b []string) []Hunk {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if squash(a[i]) == squash(b[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []Hunk
	i, j := 0, 0
	for i < n || j < m {
		if i < n && j < m && squash(a[i]) == squash(b[j]) {
			i, j = i+1, j+1
			continue
		}
		h := Hunk{From: i, At: j}
		for i < n || j < m {
			if i < n && j < m && squash(a[i]) == squash(b[j]) {
				break
			}
			if j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]) {
				h.New = append(h.New, b[j])
				j++
			} else {
				i++
			}
		}
		h.To = i
		out = append(out, h)
	}
	return out
}

// String prints a site for a report.
func (r SiteResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d: %s\n", r.Line, r.Verdict)
	show := func(label string, ls []string) {
		for _, l := range ls {
			fmt.Fprintf(&b, "    %s %s\n", label, l)
		}
	}
	show("-", r.Old)
	if r.Verdict == Agree {
		show("+", r.Authors)
		return b.String()
	}
	show("authors +", r.Authors)
	show("queuefix+", r.Ours)
	return b.String()
}
