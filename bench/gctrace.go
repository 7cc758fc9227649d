package main

import (
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
		ms, ok := sumMillis(field)
		if !ok {
			continue
		}
		c.n++
		c.cpu += time.Duration(ms * float64(time.Millisecond))
	}
	return c
}

// sumMillis adds up the numbers of a field such as "0.24+242/430/531+0.010".
func sumMillis(field string) (float64, bool) {
	ms := 0.0
	for _, part := range strings.FieldsFunc(field, func(r rune) bool { return r == '+' || r == '/' }) {
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return 0, false
		}
		ms += v
	}
	return ms, true
}

// traceGC runs the floor and queuefix once more each with gctrace on,
// and returns what their collections cost.
func (t tools) traceGC(mod, diffPath string) (floor, fix gcCost, err error) {
	trace := []string{"GODEBUG=gctrace=1"}
	_, stderr, err := t.floorEnv(mod, trace)
	if err != nil {
		return floor, fix, err
	}
	floor = parseGCTrace(stderr)
	_, stderr, err = fixEnv(t.queuefix, mod, diffPath+".gc", trace)
	return floor, parseGCTrace(stderr), err
}
