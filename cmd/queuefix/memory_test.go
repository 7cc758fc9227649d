package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestRaiseLimit checks that the soft memory limit is set 20% above what
// it is given and is only ever raised.
func TestRaiseLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	raiseLimit(100 << 20)
	if got, want := debug.SetMemoryLimit(-1), int64(120<<20); got != want {
		t.Errorf("limit %d after raiseLimit(100 MiB), want %d", got, want)
	}
	raiseLimit(50 << 20)
	if got, want := debug.SetMemoryLimit(-1), int64(120<<20); got != want {
		t.Errorf("limit %d after raiseLimit(50 MiB), want it kept at %d", got, want)
	}
	raiseLimit(200 << 20)
	if got, want := debug.SetMemoryLimit(-1), int64(240<<20); got != want {
		t.Errorf("limit %d after raiseLimit(200 MiB), want %d", got, want)
	}
}

// TestAfterEachGC checks that the callback runs after each of several
// collections, not once.
func TestAfterEachGC(t *testing.T) {
	calls := make(chan struct{}, 1)
	afterEachGC(func() { // for the life of the test binary: never block
		select {
		case calls <- struct{}{}:
		default:
		}
	})
	runtime.GC()
	<-calls // any collection before this test's first
	for i := 0; i < 3; i++ {
		runtime.GC()
		select {
		case <-calls:
		case <-time.After(10 * time.Second):
			t.Fatalf("no call after collection %d", i+1)
		}
	}
}

// TestCapHeapLeavesUserSettings checks that a GOGC or GOMEMLIMIT in the
// environment keeps capHeap from touching the collector.
func TestCapHeapLeavesUserSettings(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "off")
			limit := debug.SetMemoryLimit(-1)
			percent := debug.SetGCPercent(77)
			defer debug.SetGCPercent(percent)
			capHeap()
			if got := debug.SetMemoryLimit(-1); got != limit {
				t.Errorf("limit %d after capHeap, want %d", got, limit)
			}
			if got := debug.SetGCPercent(77); got != 77 {
				t.Errorf("GOGC %d after capHeap, want 77", got)
			}
		})
	}
}

// TestCapHeap checks that capHeap sets a limit above what the runtime
// holds and turns GOGC off.
func TestCapHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	debug.SetGCPercent(100)
	capHeap()
	if got := debug.SetGCPercent(100); got != -1 {
		t.Errorf("GOGC %d after capHeap, want off (-1)", got)
	}
	if limit, total := debug.SetMemoryLimit(-1), memory("/memory/classes/total:bytes"); limit == math.MaxInt64 || uint64(limit) < total {
		t.Errorf("limit %d after capHeap, want at least the %d bytes the runtime holds", limit, total)
	}
}

// TestStartLoad checks that while any module loads the collector is paced
// by GOGC with no limit, even after another module's capHeap, and that
// capHeap takes over when the last load is done.
func TestStartLoad(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	paced := func(when string) {
		t.Helper()
		if got := debug.SetGCPercent(-1); got != 100 {
			t.Errorf("%s: GOGC %d, want 100", when, got)
		}
		debug.SetGCPercent(100)
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("%s: limit %d, want none", when, got)
		}
	}
	debug.SetMemoryLimit(64 << 20) // as a first module's capHeap leaves it
	doneA := startLoad()
	paced("one load")
	doneB := startLoad()
	doneA()
	doneA()
	paced("the second load, after the first ended (twice)")
	followLiveHeap() // as after a collection
	paced("a collection during the second load")
	doneB()
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("after the last load: GOGC %d, want off (-1)", got)
	}
	if limit, total := debug.SetMemoryLimit(-1), memory("/memory/classes/total:bytes"); limit == math.MaxInt64 || uint64(limit) < total {
		t.Errorf("after the last load: limit %d, want at least the %d bytes the runtime holds", limit, total)
	}
	doneB()
	if loads.n != 0 {
		t.Errorf("%d loads counted after both ended", loads.n)
	}
}

// TestStartLoadLeavesUserSettings checks that with GOGC set, a load
// leaves the collector as the user set it.
func TestStartLoadLeavesUserSettings(t *testing.T) {
	t.Setenv("GOGC", "300")
	defer debug.SetGCPercent(debug.SetGCPercent(300))
	limit := debug.SetMemoryLimit(-1)
	done := startLoad()
	done()
	if got := debug.SetGCPercent(300); got != 300 {
		t.Errorf("GOGC %d after a load, want 300", got)
	}
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Errorf("limit %d after a load, want %d", got, limit)
	}
}
