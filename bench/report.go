package main

import (
	"fmt"
	"io"
	"strings"
)

// Targets queuefix is held to; printed next to the numbers, never enforced.
const (
	maxWallRatio = 1.3
	maxRSSRatio  = 1.3
	maxCPURatio  = 1.3
	// maxGrowthOver is how much faster than the floor's queuefix's time
	// may grow from the smallest to the largest N: its own work is to grow
	// as the load does.
	maxGrowthOver = 1.1
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
	if len(done) >= 2 {
		a, b := done[0], done[len(done)-1]
		fmt.Fprintf(w, "cpu %d->%d: floor %s, queuefix %s\n", a.n, b.n,
			ratio(b.m.floor.cpu.Seconds(), a.m.floor.cpu.Seconds()),
			ratio(b.m.fix.cpu.Seconds(), a.m.fix.cpu.Seconds()))
	}
	printBare(w, done)
	printFit(w, done)
	printGC(w, done)
	printAgainst(w, done)
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "%d: %s\n", r.n, r.verdict)
	}
	printTargets(w, done)
}

// printBare shows queuefix without its rules (-rule ignore) against the
// floor, and what the rules add per package: the engine's own cost, which
// the floor's go list does not dilute.
func printBare(w io.Writer, rows []row) {
	if len(rows) == 0 || rows[0].m.bare.cpu == 0 {
		return
	}
	fmt.Fprintln(w, "cpu without the rules (-rule ignore: load, index, output), and what the rules add:")
	for _, r := range rows {
		b, q := r.m.bare.cpu.Seconds(), r.m.fix.cpu.Seconds()
		fmt.Fprintf(w, "  %d: %s, %s the floor; the rules add %s, %.1f ms a package\n", r.n,
			secs(r.m.bare.cpu), ratio(b, r.m.floor.cpu.Seconds()), secs(r.m.fix.cpu-r.m.bare.cpu), (q-b)*1000/float64(r.n))
	}
	if len(rows) >= 2 {
		a, z := rows[0], rows[len(rows)-1]
		fmt.Fprintf(w, "cpu %d->%d without the rules: %s\n", a.n, z.n, ratio(z.m.bare.cpu.Seconds(), a.m.bare.cpu.Seconds()))
	}
}

// printFit splits each program's CPU time into a fixed part and a cost
// per package, the line through the smallest and the largest N. The
// growth targets compare ratios, which a fixed part dilutes: the floor's
// go list is a fixed part that queuefix, reading its saved listing, does
// not pay. The cost per package is the work that grows.
func printFit(w io.Writer, rows []row) {
	if len(rows) < 2 {
		return
	}
	a, z := rows[0], rows[len(rows)-1]
	fit := func(pick func(measurement) sample) (fixed, per float64) {
		per = (pick(z.m).cpu - pick(a.m).cpu).Seconds() / float64(z.n-a.n)
		return pick(a.m).cpu.Seconds() - per*float64(a.n), per
	}
	fmt.Fprintf(w, "cpu as a fixed part plus a cost per package (the line through %d and %d):\n", a.n, z.n)
	floorFixed, floorPer := fit(func(m measurement) sample { return m.floor })
	fmt.Fprintf(w, "  floor %.2fs + %.2f ms a package\n", floorFixed, floorPer*1000)
	fixFixed, fixPer := fit(func(m measurement) sample { return m.fix })
	fmt.Fprintf(w, "  queuefix %.2fs + %.2f ms a package, %s the floor's per package\n", fixFixed, fixPer*1000, ratio(fixPer, floorPer))
	if a.m.bare.cpu != 0 {
		bareFixed, barePer := fit(func(m measurement) sample { return m.bare })
		fmt.Fprintf(w, "  without the rules %.2fs + %.2f ms a package, %s the floor's per package\n", bareFixed, barePer*1000, ratio(barePer, floorPer))
	}
}

// printGC shows what the collector cost one more run of each program,
// and their CPU times less it: the work itself, whose ratio the
// collector does not blur.
func printGC(w io.Writer, rows []row) {
	if len(rows) == 0 || rows[0].m.floorGC.n == 0 {
		return
	}
	fmt.Fprintln(w, "collections (one more run of each, GODEBUG=gctrace=1), and the median cpu less them:")
	for _, r := range rows {
		f, q := r.m.floorGC, r.m.fixGC
		fw, qw := r.m.floor.cpu-f.cpu, r.m.fix.cpu-q.cpu
		fmt.Fprintf(w, "  %d: floor %d in %s, queuefix %d in %s; less them: floor %s, queuefix %s, %s\n", r.n,
			f.n, secs(f.cpu), q.n, secs(q.cpu), secs(fw), secs(qw), ratio(qw.Seconds(), fw.Seconds()))
	}
}

// printAgainst shows the other checkout's queuefix (-against) next to
// this one's, as ratios to the same floor runs.
func printAgainst(w io.Writer, rows []row) {
	if len(rows) == 0 || rows[0].m.against.wall == 0 {
		return
	}
	fmt.Fprintln(w, "against (the other checkout's queuefix, same alternation): ratios to the floor, against -> this")
	for _, r := range rows {
		f, q, a := r.m.floor, r.m.fix, r.m.against
		fmt.Fprintf(w, "  %d: wall %s -> %s, cpu %s (%s) -> %s, RSS %s (%s) -> %s\n", r.n,
			ratio(a.wall.Seconds(), f.wall.Seconds()), ratio(q.wall.Seconds(), f.wall.Seconds()),
			ratio(a.cpu.Seconds(), f.cpu.Seconds()), secs(a.cpu), ratio(q.cpu.Seconds(), f.cpu.Seconds()),
			ratio(float64(a.rss), float64(f.rss)), mib(a.rss), ratio(float64(q.rss), float64(f.rss)))
	}
}

// printTargets says, for each target, whether each size met it.
func printTargets(w io.Writer, rows []row) {
	if len(rows) == 0 {
		return
	}
	var wall, rss, cpu []string
	for _, r := range rows {
		wr := r.m.fix.wall.Seconds() / r.m.floor.wall.Seconds()
		rr := float64(r.m.fix.rss) / float64(r.m.floor.rss)
		cr := r.m.fix.cpu.Seconds() / r.m.floor.cpu.Seconds()
		wall = append(wall, fmt.Sprintf("%d %.2fx %s", r.n, wr, verdict(wr, maxWallRatio)))
		rss = append(rss, fmt.Sprintf("%d %.2fx %s", r.n, rr, verdict(rr, maxRSSRatio)))
		cpu = append(cpu, fmt.Sprintf("%d %.2fx %s", r.n, cr, verdict(cr, maxCPURatio)))
	}
	fmt.Fprintf(w, "\ntargets: queuefix wall <= %.1fx floor: %s\n", maxWallRatio, strings.Join(wall, ", "))
	fmt.Fprintf(w, "         queuefix cpu <= %.1fx floor: %s\n", maxCPURatio, strings.Join(cpu, ", "))
	fmt.Fprintf(w, "         queuefix RSS <= %.1fx floor: %s\n", maxRSSRatio, strings.Join(rss, ", "))
	if len(rows) >= 2 {
		a, b := rows[0], rows[len(rows)-1]
		for _, m := range []struct {
			name        string
			floor, mine float64
		}{
			{"time", b.m.floor.wall.Seconds() / a.m.floor.wall.Seconds(), b.m.fix.wall.Seconds() / a.m.fix.wall.Seconds()},
			{"cpu", b.m.floor.cpu.Seconds() / a.m.floor.cpu.Seconds(), b.m.fix.cpu.Seconds() / a.m.fix.cpu.Seconds()},
		} {
			limit := m.floor * maxGrowthOver
			fmt.Fprintf(w, "         queuefix %s growth %d->%d <= floor's %.2fx + 10%% = %.2fx: %.2fx %s\n",
				m.name, a.n, b.n, m.floor, limit, m.mine, verdict(m.mine, limit))
		}
	}
}

func ratio(a, b float64) string { return fmt.Sprintf("%.2fx", a/b) }

func verdict(got, limit float64) string {
	if got <= limit {
		return "ok"
	}
	return "MISSED"
}
