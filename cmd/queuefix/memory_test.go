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
