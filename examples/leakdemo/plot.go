package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
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
	lines       []metric
}

// metric picks one value out of a sample; ok is false where it has none.
type metric struct {
	name           string
	dashed, dotted bool
	value          func(s sample) (v float64, ok bool)
}

var panels = []panel{
	{title: "keys tracked by the rate limiter", unit: "items", lines: []metric{
		{value: func(s sample) (float64, bool) { return float64(s.Tracked), true }},
	}},
	{title: "queued + waiting in the delaying queue", unit: "items", lines: []metric{
		{value: func(s sample) (float64, bool) { return float64(s.Queued + s.Waiting), true }},
	}},
	{title: "live heap after GC (own process)", unit: "MiB", lines: []metric{
		{value: func(s sample) (float64, bool) { return s.HeapMiB, true }},
	}},
	{title: "event-to-sync latency, oldest unsynced event (log)", unit: "ms", log: true, lines: []metric{
		{name: "p50", value: func(s sample) (float64, bool) { return s.P50ms, s.Latencies > 0 && s.P50ms > 0 }},
		{name: "p99", dashed: true, value: func(s sample) (float64, bool) { return s.P99ms, s.Latencies > 0 && s.P99ms > 0 }},
		{name: "oldest unsynced", dotted: true, value: func(s sample) (float64, bool) { return s.OldestMs, s.Unsynced > 0 && s.OldestMs > 0 }},
	}},
}

// writePlot draws the four panels side by side, leaky and fixed in each.
func writePlot(path string, o options, series map[string][]sample) error {
	const w, h, top = 26 * vg.Centimeter, 18 * vg.Centimeter, vg.Centimeter
	c, err := draw.NewFormattedCanvas(w, h, strings.TrimPrefix(filepath.Ext(path), "."))
	if err != nil {
		return err
	}
	dc := draw.New(c)
	caption(dc, fmt.Sprintf("leaky vs fixed controller: %g events/s for %s, %d workers, %g%% of keys fail once, seed %d",
		o.rate, o.duration, o.workers, 100*o.fail, o.seed))

	plots := [][]*plot.Plot{make([]*plot.Plot, 2), make([]*plot.Plot, 2)}
	for i, p := range panels {
		pl, err := p.plot(series)
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

func (p panel) plot(series map[string][]sample) (*plot.Plot, error) {
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
	}
	for _, kind := range kinds {
		for _, m := range p.lines {
			if err := addLine(pl, kind, m, series[kind]); err != nil {
				return nil, err
			}
		}
	}
	// Room above the lines for the legend.
	pl.X.Min = 0
	if p.log {
		pl.Y.Max *= 100
	} else {
		pl.Y.Min, pl.Y.Max = 0, roundUp(1.3*pl.Y.Max)
	}
	return pl, nil
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
