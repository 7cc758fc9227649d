package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

const groupFormat = " | %7s %6s %7s %7s %7s %8s %8s %8s"

// groupWidth is the width of one controller's columns after the " | ".
const groupWidth = 65

func printHeader(w io.Writer, o options) {
	fmt.Fprintf(w, "leaky vs fixed, %s items: %g events/s for %s, %d workers each, %g%% of keys fail their first sync, seed %d, %s\n",
		o.items, o.rate, o.duration, o.workers, 100*o.fail, o.seed, capText(o.memlimit))
	fmt.Fprintf(w, "each controller runs in its own process; heapMiB: its live heap at the last GC; rssMiB: its resident memory;\n"+
		"p50/p99: event-to-sync latency of the events synced in that second; oldest: age of the oldest event not synced yet\n\n")
	fmt.Fprintf(w, "%4s %6s", "", "")
	for _, k := range kinds {
		fmt.Fprintf(w, " | %-*s", groupWidth, centre(k, groupWidth))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%4s %6s", "t", "events")
	for range kinds {
		fmt.Fprintf(w, groupFormat, "tracked", "queued", "waiting", "heapMiB", "rssMiB", "p50ms", "p99ms", "oldestms")
	}
	fmt.Fprintln(w)
}

func capText(limit uint64) string {
	if limit == 0 {
		return "no memory cap"
	}
	return "memory cap " + formatSize(limit) + " each"
}

func centre(s string, width int) string {
	pad := (width - len(s)) / 2
	return strings.Repeat(" ", max(pad, 0)) + s
}

// cell is one controller's part of a table row: a sample, the kill that
// ended it, or nothing once it is gone.
type cell struct {
	s      *sample
	killed *oomKill
}

func printRow(w io.Writer, t int, row []cell) {
	var events int64
	for _, c := range row {
		if c.s != nil {
			events = c.s.Events
		}
	}
	fmt.Fprintf(w, "%4d %6d", t, events)
	for _, c := range row {
		switch {
		case c.s != nil:
			s := c.s
			fmt.Fprintf(w, groupFormat,
				fmt.Sprint(s.Tracked), fmt.Sprint(s.Queued), fmt.Sprint(s.Waiting),
				fmt.Sprintf("%.1f", s.HeapMiB), fmt.Sprintf("%.1f", s.RSSMiB),
				latencyCell(*s, s.P50ms), latencyCell(*s, s.P99ms), fmt.Sprintf("%.0f", s.OldestMs))
		case c.killed != nil:
			fmt.Fprintf(w, " | %-*s", groupWidth, "  "+killText(c.killed))
		default:
			fmt.Fprintf(w, " | %-*s", groupWidth, "")
		}
	}
	fmt.Fprintln(w)
}

func killText(k *oomKill) string {
	return fmt.Sprintf("OOM-killed at t=%.1fs (RSS %.1f MiB)", k.at.Seconds(), float64(k.rss)/mib)
}

// latencyCell shows "-" for a second without syncs to measure.
func latencyCell(s sample, ms float64) string {
	if s.Latencies == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", ms)
}

// outcome is how one controller's run went.
type outcome struct {
	kind    string
	samples []sample
	killed  *oomKill // nil: it ran to the end
	peakRSS uint64   // the watchdog's highest reading, bytes; 0 without a cap
}

func outcomes(series map[string][]sample, children []*child) []outcome {
	var out []outcome
	for _, c := range children {
		out = append(out, outcome{kind: c.kind, samples: series[c.kind], killed: c.oom(), peakRSS: c.peakRSS()})
	}
	return out
}

// report prints the summary, the JSON series and the plot.
func report(o options, series map[string][]sample, children []*child, stdout, stderr io.Writer) error {
	runs := outcomes(series, children)
	summaryOut := stdout
	if o.json {
		summaryOut = stderr // keep stdout pure JSON
		if err := writeJSON(stdout, o, runs); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(stdout)
	}
	printSummary(summaryOut, o, runs)
	if o.plot == "" {
		return nil
	}
	if err := writePlot(o.plot, o, runs); err != nil {
		return fmt.Errorf("write plot %s: %w", o.plot, err)
	}
	fmt.Fprintf(summaryOut, "plot: %s\n", o.plot)
	return nil
}

// printSummary prints one line per controller: how it ended, its memory
// and what its queue held at its last sample.
func printSummary(w io.Writer, o options, runs []outcome) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tOOM-killed at\tpeak RSS\tfinal RSS\tpeak heap\tfinal heap\tevents\tsyncs\ttracked\twaiting\tmax p99\toldest unsynced\t\n")
	for _, r := range runs {
		fmt.Fprintln(tw, summaryRow(o, r))
	}
	tw.Flush()
	fmt.Fprintf(w, "(MiB; final: the last sample, or the reading that crossed the cap; %s)\n", capText(o.memlimit))
}

func summaryRow(o options, r outcome) string {
	if len(r.samples) == 0 {
		return fmt.Sprintf("%s\t%s\t", r.kind, outcomeText(o, r))
	}
	last := r.samples[len(r.samples)-1]
	finalRSS := last.RSSMiB
	if r.killed != nil {
		finalRSS = float64(r.killed.rss) / mib
	}
	peakRSS, peakHeap := float64(r.peakRSS)/mib, 0.0
	var maxP99 float64
	for _, s := range r.samples {
		peakRSS = max(peakRSS, s.RSSMiB)
		peakHeap = max(peakHeap, s.HeapMiB)
		maxP99 = max(maxP99, s.P99ms)
	}
	return fmt.Sprintf("%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t%d\t%s\t%s\t",
		r.kind, outcomeText(o, r), peakRSS, finalRSS, peakHeap, last.HeapMiB,
		last.Events, last.Synced, last.Tracked, last.Waiting, msString(maxP99), msString(last.OldestMs))
}

// outcomeText says when the watchdog killed the controller, if it did.
func outcomeText(o options, r outcome) string {
	switch {
	case r.killed != nil:
		return fmt.Sprintf("t=%.1fs", r.killed.at.Seconds())
	case o.memlimit == 0:
		return "no cap"
	default:
		return "never"
	}
}

func msString(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.1fs", v/1000)
	}
	return fmt.Sprintf("%.1fms", v)
}

// jsonRun is the -json output.
type jsonRun struct {
	Items    string              `json:"items"`
	MemLimit uint64              `json:"memlimit_bytes"`
	Duration string              `json:"duration"`
	Rate     float64             `json:"rate"`
	Workers  int                 `json:"workers"`
	Fail     float64             `json:"fail"`
	Objects  int                 `json:"objects"`
	Seed     uint64              `json:"seed"`
	Series   map[string][]sample `json:"series"`
	Killed   map[string]jsonKill `json:"oom_killed"`
	PeakRSS  map[string]float64  `json:"peak_rss_mib"`
}

type jsonKill struct {
	AtSeconds float64 `json:"at_s"`
	RSSMiB    float64 `json:"rss_mib"`
}

func writeJSON(w io.Writer, o options, runs []outcome) error {
	out := jsonRun{
		Items: o.items, MemLimit: o.memlimit, Duration: o.duration.String(), Rate: o.rate,
		Workers: o.workers, Fail: o.fail, Objects: o.objects, Seed: o.seed,
		Series: map[string][]sample{}, Killed: map[string]jsonKill{}, PeakRSS: map[string]float64{},
	}
	for _, r := range runs {
		out.Series[r.kind] = r.samples
		out.PeakRSS[r.kind] = float64(r.peakRSS) / mib
		if r.killed != nil {
			out.Killed[r.kind] = jsonKill{AtSeconds: r.killed.at.Seconds(), RSSMiB: float64(r.killed.rss) / mib}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
