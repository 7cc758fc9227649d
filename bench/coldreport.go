package main

import (
	"fmt"
	"io"
	"strings"
)

// Targets of the cold bench; printed next to the numbers, never enforced.
const (
	maxColdShare   = 0.1 // queuefix cold wall / floor cold wall, at the largest N and on real modules
	maxColdRSS     = 2.0 // queuefix cold RSS / floor warm RSS
	maxWarmRatio   = 1.5 // queuefix warm / floor warm, wall and RSS
	maxColdGrowths = 5.5 // queuefix time from the smallest to the largest N, cold and warm
)

// printCold prints the cold table, the warm table and the targets, and
// returns the exit status: 1 if a target could not be measured.
func printCold(w io.Writer, rows []coldRow) int {
	code := 0
	fmt.Fprintln(w, "cold: a fresh GOCACHE per run, the module cache shared; medians")
	fmt.Fprintf(w, "%-30s %11s %10s %15s %11s %10s\n", "module", "floor cold", "vet cold", "queuefix auto", "(auto ran)", "source")
	for _, r := range rows {
		if r.err != nil {
			fmt.Fprintf(w, "%-30s FAILED: %v\n", r.t.name, r.err)
			code = 1
			continue
		}
		vet := "-"
		if r.vetCold.wall > 0 {
			vet = secs(r.vetCold.wall)
		}
		fmt.Fprintf(w, "%-30s %11s %10s %15s %11s %10s\n", r.t.name, secs(r.floorCold.wall), vet,
			secs(r.autoCold.wall), r.autoMode, secs(r.srcCold.wall))
	}
	fmt.Fprintln(w, "\nRSS (cold queuefix against the warm floor) and warm runs")
	fmt.Fprintf(w, "%-30s %12s %12s %12s %12s %12s %12s\n", "module", "auto cold", "source cold", "floor warm", "qf warm", "floor warm", "qf warm")
	for _, r := range rows {
		if r.err == nil {
			fmt.Fprintf(w, "%-30s %12s %12s %12s %12s %12s %12s\n", r.t.name, mib(r.autoCold.rss), mib(r.srcCold.rss),
				mib(r.floorWarm.rss), mib(r.qfWarm.rss), secs(r.floorWarm.wall), secs(r.qfWarm.wall))
		}
	}
	fmt.Fprintln(w, "\ncpu time, user+sys (steadier than wall time on a busy machine)")
	for _, r := range rows {
		if r.err == nil {
			fmt.Fprintf(w, "%-30s floor cold %s, auto cold %s, source cold %s; floor warm %s, queuefix warm %s\n", r.t.name,
				secs(r.floorCold.cpu), secs(r.autoCold.cpu), secs(r.srcCold.cpu), secs(r.floorWarm.cpu), secs(r.qfWarm.cpu))
		}
	}
	printColdTargets(w, rows)
	return code
}

func printColdTargets(w io.Writer, rows []coldRow) {
	var share, rss, warm []string
	var gen []coldRow
	for _, r := range rows {
		if r.err != nil {
			continue
		}
		if r.t.n > 0 {
			gen = append(gen, r)
		}
		s := r.autoCold.wall.Seconds() / r.floorCold.wall.Seconds()
		share = append(share, fmt.Sprintf("%s 1/%.0f %s", r.t.name, 1/s, verdict(s, maxColdShare)))
		m := float64(max(r.autoCold.rss, r.srcCold.rss)) / float64(r.floorWarm.rss)
		rss = append(rss, fmt.Sprintf("%s %.2fx %s", r.t.name, m, verdict(m, maxColdRSS)))
		wt := r.qfWarm.wall.Seconds() / r.floorWarm.wall.Seconds()
		wr := float64(r.qfWarm.rss) / float64(r.floorWarm.rss)
		warm = append(warm, fmt.Sprintf("%s %.2fx %s / %.2fx %s", r.t.name, wt, verdict(wt, maxWarmRatio), wr, verdict(wr, maxWarmRatio)))
	}
	fmt.Fprintf(w, "\ntargets: cold wall (auto) <= 1/10 of the cold floor: %s\n", strings.Join(share, ", "))
	fmt.Fprintf(w, "         cold RSS (auto and source) <= %.0fx the warm floor's: %s\n", maxColdRSS, strings.Join(rss, ", "))
	fmt.Fprintf(w, "         warm wall / RSS <= %.1fx the warm floor: %s\n", maxWarmRatio, strings.Join(warm, ", "))
	if len(gen) >= 2 {
		a, b := gen[0], gen[len(gen)-1]
		gc := b.autoCold.wall.Seconds() / a.autoCold.wall.Seconds()
		gw := b.qfWarm.wall.Seconds() / a.qfWarm.wall.Seconds()
		fmt.Fprintf(w, "         growth %d->%d <= %.1fx: cold %.2fx %s, warm %.2fx %s\n", a.t.n, b.t.n, maxColdGrowths,
			gc, verdict(gc, maxColdGrowths), gw, verdict(gw, maxColdGrowths))
	}
}
