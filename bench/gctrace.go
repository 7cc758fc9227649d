package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// gcCost is what the collector cost one run: the collections and the CPU
// time the runtime reports for them (GODEBUG=gctrace=1).
type gcCost struct {
	n   int
	cpu time.Duration
}

// parseGCTrace adds up the collections in a gctrace on stderr. Each line
// reads "gc N @T P%: ... ms clock, A+B/C/D+E ms cpu, ...": the two
// stop-the-world phases, and assist, background and idle marking.
func parseGCTrace(stderr string) gcCost {
	var c gcCost
	for _, line := range strings.Split(stderr, "\n") {
		if !strings.HasPrefix(line, "gc ") {
			continue
		}
		_, rest, ok := strings.Cut(line, " ms clock, ")
		if !ok {
			continue
		}
		field, _, ok := strings.Cut(rest, " ms cpu")
		if !ok {
			continue
		}
		ms := 0.0
		for _, part := range strings.FieldsFunc(field, func(r rune) bool { return r == '+' || r == '/' }) {
			v, err := strconv.ParseFloat(part, 64)
			if err != nil {
				ms = -1
				break
			}
			ms += v
		}
		if ms < 0 {
			continue
		}
		c.n++
		c.cpu += time.Duration(ms * float64(time.Millisecond))
	}
	return c
}

// traceGC runs the floor and queuefix once more each with gctrace on,
// and returns what their collections cost.
func (t tools) traceGC(mod, diffPath string) (floor, fix gcCost, err error) {
	trace := []string{"GODEBUG=gctrace=1"}
	_, code, stderr, err := runChildEnv(mod, trace, io.Discard, t.baseline, "./...")
	if err == nil && code != 0 {
		err = fmt.Errorf("baseline exited %d in %s:\n%s", code, mod, stderr)
	}
	if err != nil {
		return floor, fix, err
	}
	floor = parseGCTrace(stderr)
	out, err := os.Create(diffPath + ".gc")
	if err != nil {
		return floor, fix, err
	}
	defer out.Close()
	_, code, stderr, err = runChildEnv(mod, trace, out, t.queuefix, "-diff", "./...")
	if err == nil && code != 1 {
		err = fmt.Errorf("queuefix -diff exited %d in %s, want 1 (changes pending):\n%s", code, mod, stderr)
	}
	return floor, parseGCTrace(stderr), err
}
