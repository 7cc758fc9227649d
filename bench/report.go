package main

import (
	"fmt"
	"io"
	"strings"
)

// Targets queuefix is held to; printed next to the numbers, never enforced.
const (
	maxWallRatio = 1.5
	maxRSSRatio  = 1.5
	maxGrowth    = 5.5
)

// A row is one module size's outcome.
type row struct {
	n, lines int
	m        measurement
	measured bool   // m holds medians
	verdict  string // the correctness line
	ok       bool   // every check passed
}

func printTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "N     lines    floor wall  queuefix wall  ratio   floor RSS  queuefix RSS  ratio")
	var done []row
	for _, r := range rows {
		if !r.measured {
			continue
		}
		done = append(done, r)
		f, q := r.m.floor, r.m.fix
		fmt.Fprintf(w, "%-5d %-8d %-11s %-14s %-7s %-10s %-13s %s\n", r.n, r.lines,
			secs(f.wall), secs(q.wall), ratio(q.wall.Seconds(), f.wall.Seconds()),
			mib(f.rss), mib(q.rss), ratio(float64(q.rss), float64(f.rss)))
	}
	if len(done) >= 2 {
		a, b := done[0], done[len(done)-1]
		fmt.Fprintf(w, "time %d->%d: floor %s, queuefix %s\n", a.n, b.n,
			ratio(b.m.floor.wall.Seconds(), a.m.floor.wall.Seconds()),
			ratio(b.m.fix.wall.Seconds(), a.m.fix.wall.Seconds()))
	}
	fmt.Fprintln(w, "cpu time (user+sys, steadier than wall time on a busy machine):")
	for _, r := range done {
		fmt.Fprintf(w, "  %d: floor %s, queuefix %s, %s\n", r.n,
			secs(r.m.floor.cpu), secs(r.m.fix.cpu), ratio(r.m.fix.cpu.Seconds(), r.m.floor.cpu.Seconds()))
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "%d: %s\n", r.n, r.verdict)
	}
	printTargets(w, done)
}

// printTargets says, for each target, whether each size met it.
func printTargets(w io.Writer, rows []row) {
	if len(rows) == 0 {
		return
	}
	var wall, rss []string
	for _, r := range rows {
		wr := r.m.fix.wall.Seconds() / r.m.floor.wall.Seconds()
		rr := float64(r.m.fix.rss) / float64(r.m.floor.rss)
		wall = append(wall, fmt.Sprintf("%d %.2fx %s", r.n, wr, verdict(wr, maxWallRatio)))
		rss = append(rss, fmt.Sprintf("%d %.2fx %s", r.n, rr, verdict(rr, maxRSSRatio)))
	}
	fmt.Fprintf(w, "\ntargets: queuefix wall <= %.1fx floor: %s\n", maxWallRatio, strings.Join(wall, ", "))
	fmt.Fprintf(w, "         queuefix RSS <= %.1fx floor: %s\n", maxRSSRatio, strings.Join(rss, ", "))
	if len(rows) >= 2 {
		a, b := rows[0], rows[len(rows)-1]
		g := b.m.fix.wall.Seconds() / a.m.fix.wall.Seconds()
		fmt.Fprintf(w, "         queuefix time growth %d->%d <= %.1fx: %.2fx %s\n", a.n, b.n, maxGrowth, g, verdict(g, maxGrowth))
	}
}

func ratio(a, b float64) string { return fmt.Sprintf("%.2fx", a/b) }

func verdict(got, limit float64) string {
	if got <= limit {
		return "ok"
	}
	return "MISSED"
}
