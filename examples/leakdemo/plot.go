package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var colours = map[string]color.Color{
	"leaky": color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	"fixed": color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
}

// panel is one of the four plots: a title and the values it draws.
type panel struct {
	title, unit string
	log         bool
	memory      bool // draws the memory cap and the OOM kills too
	lines       []metric
}

// metric picks one value out of a sample; ok is false where it has none.
type metric struct {
	name           string
	dashed, dotted bool
	value          func(s sample) (v float64, ok bool)
}

var panels = []panel{
	{title: "items tracked by the rate limiter", unit: "items", lines: []metric{
		{value: func(s sample) (float64, bool) { return float64(s.Tracked), true }},
	}},
	{title: "queued + waiting in the delaying queue", unit: "items", lines: []metric{
		{value: func(s sample) (float64, bool) { return float64(s.Queued + s.Waiting), true }},
	}},
	{title: "memory of each process: RSS, live heap; cap and OOM kill", unit: "MiB", memory: true, lines: []metric{
		{name: "RSS", value: func(s sample) (float64, bool) { return s.RSSMiB, true }},
		{name: "heap", dashed: true, value: func(s sample) (float64, bool) { return s.HeapMiB, true }},
	}},
	{title: "event-to-sync latency, oldest unsynced event (log)", unit: "ms", log: true, lines: []metric{
		{name: "p50", value: func(s sample) (float64, bool) { return s.P50ms, s.Latencies > 0 && s.P50ms > 0 }},
		{name: "p99", dashed: true, value: func(s sample) (float64, bool) { return s.P99ms, s.Latencies > 0 && s.P99ms > 0 }},
		{name: "oldest unsynced", dotted: true, value: func(s sample) (float64, bool) { return s.OldestMs, s.Unsynced > 0 && s.OldestMs > 0 }},
	}},
}

// writePlot draws the four panels side by side, leaky and fixed in each.
func writePlot(path string, o options, runs []outcome) error {
	const w, h, top = 26 * vg.Centimeter, 18 * vg.Centimeter, 1.5 * vg.Centimeter
	c, err := draw.NewFormattedCanvas(w, h, strings.TrimPrefix(filepath.Ext(path), "."))
	if err != nil {
		return err
	}
	dc := draw.New(c)
	caption(dc, fmt.Sprintf("leaky vs fixed controller, %s items: %g events/s for %s, %d workers, %g%% of keys fail once, seed %d, %s",
		o.items, o.rate, o.duration, o.workers, 100*o.fail, o.seed, capText(o.memlimit)))

	plots := [][]*plot.Plot{make([]*plot.Plot, 2), make([]*plot.Plot, 2)}
	for i, p := range panels {
		pl, err := p.plot(o, runs)
		if err != nil {
			return err
		}
		plots[i/2][i%2] = pl
	}
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadTop: top, PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 5, PadBottom: vg.Millimeter * 3}
	for j, row := range plot.Align(plots, tiles, dc) {
		for i, cv := range row {
			plots[j][i].Draw(cv)
		}
	}
	return save(path, c)
}

func caption(dc draw.Canvas, s string) {
	sty := text.Style{
		Color: color.Black, Font: font.From(plot.DefaultFont, 12),
		XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler,
	}
	dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - 3*vg.Millimeter}, s)
}

func (p panel) plot(o options, runs []outcome) (*plot.Plot, error) {
	pl := plot.New()
	pl.Title.Text = p.title
	pl.X.Label.Text = "seconds"
	pl.Y.Label.Text = p.unit
	pl.Legend.Top = true
	pl.Legend.Left = true
	pl.Add(plotter.NewGrid())
	if p.log {
		pl.Y.Scale = plot.LogScale{}
		pl.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	} else {
		pl.Y.Tick.Marker = plainTicks{}
	}
	for _, r := range runs {
		for _, m := range p.lines {
			if err := addLine(pl, r.kind, m, r.samples); err != nil {
				return nil, err
			}
		}
	}
	if p.memory {
		if err := addMemoryMarks(pl, o, runs); err != nil {
			return nil, err
		}
	}
	// Room above the lines for the legend.
	pl.X.Min, pl.X.Max = 0, o.duration.Seconds()
	if p.log {
		pl.Y.Max *= 100
	} else {
		pl.Y.Min, pl.Y.Max = 0, roundUp(1.3*pl.Y.Max)
	}
	return pl, nil
}

// addMemoryMarks draws the memory cap as a line across the run and a cross
// where the watchdog killed a controller, labelled with the time.
func addMemoryMarks(pl *plot.Plot, o options, runs []outcome) error {
	if o.memlimit > 0 {
		capMiB := float64(o.memlimit) / mib
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: capMiB}, {X: o.duration.Seconds(), Y: capMiB}})
		if err != nil {
			return err
		}
		l.Color = color.Gray{Y: 0x60}
		l.Width = vg.Points(1)
		l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		pl.Add(l)
		pl.Legend.Add("cap "+formatSize(o.memlimit), l)
	}
	for _, r := range runs {
		if r.killed == nil {
			continue
		}
		if err := addKill(pl, r); err != nil {
			return err
		}
	}
	return nil
}

// addKill marks the kill, joined to the controller's last RSS sample.
func addKill(pl *plot.Plot, r outcome) error {
	at := plotter.XY{X: r.killed.at.Seconds(), Y: float64(r.killed.rss) / mib}
	if n := len(r.samples); n > 0 {
		last := r.samples[n-1]
		l, err := plotter.NewLine(plotter.XYs{{X: float64(last.T), Y: last.RSSMiB}, at})
		if err != nil {
			return err
		}
		l.Color = colours[r.kind]
		l.Width = vg.Points(1.5)
		pl.Add(l)
	}
	sc, err := plotter.NewScatter(plotter.XYs{at})
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: colours[r.kind], Radius: vg.Points(5), Shape: draw.CrossGlyph{}}
	label, err := plotter.NewLabels(plotter.XYLabels{
		XYs:    []plotter.XY{at},
		Labels: []string{fmt.Sprintf("%s OOM-killed at %.0fs", r.kind, at.X)},
	})
	if err != nil {
		return err
	}
	for i := range label.TextStyle {
		label.TextStyle[i].Color = colours[r.kind]
		label.TextStyle[i].XAlign = draw.XRight
		label.TextStyle[i].YAlign = draw.YBottom
	}
	label.Offset = vg.Point{X: -vg.Points(4), Y: vg.Points(4)}
	pl.Add(sc, label)
	return nil
}

// plainTicks are gonum's default ticks labelled without trailing zeros
// (5000, not 5000.00).
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
	}
	return ticks
}

// roundUp rounds v up to a half step of its order of magnitude, so that the
// axis ends on a round tick.
func roundUp(v float64) float64 {
	if v <= 0 {
		return 1
	}
	step := math.Pow(10, math.Floor(math.Log10(v))) / 2
	return math.Ceil(v/step) * step
}

func addLine(pl *plot.Plot, kind string, m metric, s []sample) error {
	var xys plotter.XYs
	for _, x := range s {
		if v, ok := m.value(x); ok {
			xys = append(xys, plotter.XY{X: float64(x.T), Y: v})
		}
	}
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color = colours[kind]
	l.Width = vg.Points(1.5)
	switch {
	case m.dashed:
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	case m.dotted:
		l.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
	}
	pl.Add(l)
	pl.Legend.Add(strings.TrimSpace(kind+" "+m.name), l)
	return nil
}

func save(path string, c vg.CanvasWriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
