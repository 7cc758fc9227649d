package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

const groupFormat = " | %7s %6s %7s %7s %8s %8s %8s"

func printHeader(w io.Writer, o options) {
	fmt.Fprintf(w, "leaky vs fixed: %g events/s for %s, %d workers each, %g%% of keys fail their first sync, seed %d\n",
		o.rate, o.duration, o.workers, 100*o.fail, o.seed)
	fmt.Fprintf(w, "each controller runs in its own process; heapMiB: its live heap after a GC;\n"+
		"p50/p99: event-to-sync latency of the events synced in that second; oldest: age of the oldest event not synced yet\n\n")
	fmt.Fprintf(w, "%4s %6s", "", "")
	for _, k := range kinds {
		fmt.Fprintf(w, " | %-56s", centre(k, 56))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%4s %6s", "t", "events")
	for range kinds {
		fmt.Fprintf(w, groupFormat, "tracked", "queued", "waiting", "heapMiB", "p50ms", "p99ms", "oldestms")
	}
	fmt.Fprintln(w)
}

func centre(s string, width int) string {
	pad := (width - len(s)) / 2
	return strings.Repeat(" ", max(pad, 0)) + s
}

func printRow(w io.Writer, row []sample) {
	fmt.Fprintf(w, "%4d %6d", row[0].T, row[0].Events)
	for _, s := range row {
		fmt.Fprintf(w, groupFormat,
			fmt.Sprint(s.Tracked), fmt.Sprint(s.Queued), fmt.Sprint(s.Waiting),
			fmt.Sprintf("%.2f", s.HeapMiB), latencyCell(s, s.P50ms), latencyCell(s, s.P99ms),
			fmt.Sprintf("%.0f", s.OldestMs))
	}
	fmt.Fprintln(w)
}

// latencyCell shows "-" for a second without syncs to measure.
func latencyCell(s sample, ms float64) string {
	if s.Latencies == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", ms)
}

// report prints the summary lines, the JSON series and the plot.
func report(o options, series map[string][]sample, stdout, stderr io.Writer) error {
	summaryOut := stdout
	if o.json {
		summaryOut = stderr // keep stdout pure JSON
		if err := writeJSON(stdout, o, series); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(stdout)
	}
	for _, k := range kinds {
		fmt.Fprintln(summaryOut, summary(k, series[k]))
	}
	if o.plot == "" {
		return nil
	}
	if err := writePlot(o.plot, o, series); err != nil {
		return fmt.Errorf("write plot %s: %w", o.plot, err)
	}
	fmt.Fprintf(summaryOut, "plot: %s\n", o.plot)
	return nil
}

// summary describes a controller at the end of the run in one line.
func summary(kind string, s []sample) string {
	first, last := s[0], s[len(s)-1]
	var maxP99, maxWait float64
	for _, x := range s {
		maxP99 = max(maxP99, x.P99ms)
		maxWait = max(maxWait, float64(x.Queued+x.Waiting))
	}
	return fmt.Sprintf("%s: %d events, %d syncs; at %ds: %d keys tracked by the rate limiter, "+
		"%d queued + %d waiting (max %.0f), live heap %.2f MiB (%.2f at 1s), "+
		"latency p50 %s p99 %s (max p99 %s), %d events not synced yet (oldest %s)",
		kind, last.Events, last.Synced, last.T, last.Tracked,
		last.Queued, last.Waiting, maxWait, last.HeapMiB, first.HeapMiB,
		ms(last, last.P50ms), ms(last, last.P99ms), msString(maxP99),
		last.Unsynced, msString(last.OldestMs))
}

func ms(s sample, v float64) string {
	if s.Latencies == 0 {
		return "-"
	}
	return msString(v)
}

func msString(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.1fs", v/1000)
	}
	return fmt.Sprintf("%.1fms", v)
}

// jsonRun is the -json output.
type jsonRun struct {
	Duration string              `json:"duration"`
	Rate     float64             `json:"rate"`
	Workers  int                 `json:"workers"`
	Fail     float64             `json:"fail"`
	Objects  int                 `json:"objects"`
	Seed     uint64              `json:"seed"`
	Series   map[string][]sample `json:"series"`
}

func writeJSON(w io.Writer, o options, series map[string][]sample) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonRun{
		Duration: o.duration.String(), Rate: o.rate, Workers: o.workers,
		Fail: o.fail, Objects: o.objects, Seed: o.seed, Series: series,
	})
}
