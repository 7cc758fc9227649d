package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// kinds are the controllers, in the order the output shows them.
var kinds = []string{"leaky", "fixed"}

// startDelay gives both children time to start and sync their informers, so
// that they send the first event at the same moment.
const startDelay = 2 * time.Second

// runParent starts one child per controller, merges their samples second by
// second and reports them.
func runParent(o options, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary to run the controllers: %w", err)
	}
	if _, err := readRSS("self"); o.memlimit > 0 && err != nil {
		return fmt.Errorf("-memlimit reads resident memory from /proc (Linux only): %w; run with -memlimit 0", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // ends the children if we return early

	start := time.Now().Add(startDelay)
	var children []*child
	for _, kind := range kinds {
		c, err := startChild(ctx, exe, kind, o, start, stderr)
		if err != nil {
			return err
		}
		children = append(children, c)
	}

	series, err := collect(o, children, stdout)
	if err != nil {
		return err
	}
	for _, c := range children {
		if err := c.cmd.Wait(); err != nil && c.oom() == nil {
			return fmt.Errorf("%s controller: %w", c.kind, err)
		}
	}
	return report(o, series, children, stdout, stderr)
}

// child is one controller process and the samples it prints.
type child struct {
	kind    string
	cmd     *exec.Cmd
	start   time.Time // when the events start
	samples <-chan sample
	err     error // decode error, read after samples is closed

	mu     sync.Mutex
	peak   uint64 // highest resident memory seen, bytes
	killed *oomKill
}

// oomKill is the watchdog's kill of a child over the memory cap.
type oomKill struct {
	at  time.Duration // since the events started
	rss uint64        // bytes
}

func startChild(ctx context.Context, exe, kind string, o options, start time.Time, stderr io.Writer) (*child, error) {
	cmd := exec.CommandContext(ctx, exe, childArgs(o, kind, start)...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s controller: %w", kind, err)
	}
	samples := make(chan sample)
	c := &child{kind: kind, cmd: cmd, start: start, samples: samples}
	go c.decode(out, samples)
	if o.memlimit > 0 {
		go c.watch(o.memlimit)
	}
	return c, nil
}

func (c *child) decode(r io.Reader, samples chan<- sample) {
	defer close(samples)
	c.err = newTracker().read(r, samples)
	io.Copy(io.Discard, r) // let the child finish if we stopped reading early
}

// watchEvery is how often the watchdog reads a child's memory: often enough
// that a child allocating a few MiB/s overshoots the cap by little.
const watchEvery = 50 * time.Millisecond

// watch kills the child once its resident memory crosses limit, as the
// kernel does to a container over its memory limit, and records when. It
// returns when the child is gone.
func (c *child) watch(limit uint64) {
	pid := strconv.Itoa(c.cmd.Process.Pid)
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	for range tick.C {
		mem, err := readRSS(pid)
		if err != nil {
			return // the child has exited
		}
		c.mu.Lock()
		c.peak = max(c.peak, mem.peak, mem.now)
		if mem.now > limit {
			c.killed = &oomKill{at: time.Since(c.start), rss: mem.now}
		}
		over := c.killed != nil
		c.mu.Unlock()
		if over {
			c.cmd.Process.Kill()
			return
		}
	}
}

// oom returns the watchdog's kill of c, or nil.
func (c *child) oom() *oomKill {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.killed
}

// peakRSS returns the highest resident memory the watchdog saw.
func (c *child) peakRSS() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peak
}

func childArgs(o options, kind string, start time.Time) []string {
	return []string{
		"-child", kind,
		"-items", o.items,
		"-start", strconv.FormatInt(start.UnixNano(), 10),
		"-duration", o.duration.String(),
		"-rate", strconv.FormatFloat(o.rate, 'g', -1, 64),
		"-workers", strconv.Itoa(o.workers),
		"-fail", strconv.FormatFloat(o.fail, 'g', -1, 64),
		"-objects", strconv.Itoa(o.objects),
		"-seed", strconv.FormatUint(o.seed, 10),
	}
}

// collect reads one sample per second from every live child, printing table
// rows as they complete unless the output is JSON. A child the watchdog
// killed drops out; any other end of a child before the last second is an
// error.
func collect(o options, children []*child, stdout io.Writer) (map[string][]sample, error) {
	series := map[string][]sample{}
	if !o.json {
		printHeader(stdout, o)
	}
	gone := map[*child]bool{}
	for t := 1; t <= seconds(o.duration) && len(gone) < len(children); t++ {
		row := make([]cell, len(children))
		for i, c := range children {
			if gone[c] {
				continue
			}
			s, ok := <-c.samples
			if !ok {
				k := c.oom()
				if k == nil {
					return nil, fmt.Errorf("%s controller stopped before second %d (read error: %v)", c.kind, t, c.err)
				}
				gone[c] = true
				row[i].killed = k
				continue
			}
			row[i].s = &s
			series[c.kind] = append(series[c.kind], s)
		}
		if !o.json {
			printRow(stdout, t, row)
		}
	}
	return series, nil
}
