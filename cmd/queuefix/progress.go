package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress shows what a long run is doing on a terminal's stderr: after a
// second, one line rewritten in place; cleared when the run ends. It never
// writes to stdout, nor to a stderr that is not a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	what  string
	start time.Time
	shown bool
	done  chan struct{}
	wg    sync.WaitGroup
}

func startProgress(stderr io.Writer) *progress {
	p := &progress{w: stderr, start: time.Now(), done: make(chan struct{})}
	if !isTerminal(stderr) {
		return p
	}
	p.wg.Add(1)
	go p.loop()
	return p
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func (p *progress) set(what string) {
	p.mu.Lock()
	p.what = what
	p.mu.Unlock()
}

func (p *progress) loop() {
	defer p.wg.Done()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-tick.C:
			p.draw()
		}
	}
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.start)
	if elapsed < time.Second || p.what == "" {
		return
	}
	fmt.Fprintf(p.w, "\r\033[Kqueuefix: %s (%.0fs)", p.what, elapsed.Seconds())
	p.shown = true
}

// stop ends the display and clears its line.
func (p *progress) stop() {
	select {
	case <-p.done:
		return
	default:
		close(p.done)
	}
	p.wg.Wait()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
