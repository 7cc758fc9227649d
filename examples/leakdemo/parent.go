package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
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
		if err := c.cmd.Wait(); err != nil {
			return fmt.Errorf("%s controller: %w", c.kind, err)
		}
	}
	return report(o, series, stdout, stderr)
}

// child is one controller process and the samples it prints.
type child struct {
	kind    string
	cmd     *exec.Cmd
	samples <-chan sample
	err     error // decode error, read after samples is closed
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
	c := &child{kind: kind, cmd: cmd, samples: samples}
	go c.decode(out, samples)
	return c, nil
}

func (c *child) decode(r io.Reader, samples chan<- sample) {
	defer close(samples)
	c.err = newTracker().read(r, samples)
	io.Copy(io.Discard, r) // let the child finish if we stopped reading early
}

func childArgs(o options, kind string, start time.Time) []string {
	return []string{
		"-child", kind,
		"-start", strconv.FormatInt(start.UnixNano(), 10),
		"-duration", o.duration.String(),
		"-rate", strconv.FormatFloat(o.rate, 'g', -1, 64),
		"-workers", strconv.Itoa(o.workers),
		"-fail", strconv.FormatFloat(o.fail, 'g', -1, 64),
		"-objects", strconv.Itoa(o.objects),
		"-seed", strconv.FormatUint(o.seed, 10),
	}
}

// collect reads one sample per second from every child, printing table rows
// as they complete unless the output is JSON.
func collect(o options, children []*child, stdout io.Writer) (map[string][]sample, error) {
	series := map[string][]sample{}
	if !o.json {
		printHeader(stdout, o)
	}
	for t := 1; t <= seconds(o.duration); t++ {
		row := make([]sample, len(children))
		for i, c := range children {
			s, ok := <-c.samples
			if !ok {
				return nil, fmt.Errorf("%s controller stopped before second %d (read error: %v)", c.kind, t, c.err)
			}
			row[i] = s
			series[c.kind] = append(series[c.kind], s)
		}
		if !o.json {
			printRow(stdout, row)
		}
	}
	return series, nil
}
