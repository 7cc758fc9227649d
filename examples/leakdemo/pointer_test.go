package main

import (
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/util/workqueue"
	testingclock "k8s.io/utils/clock/testing"
)

// TestPointerItemsStayTracked is the seed's leak in numbers: with a new *key
// per event, every handler event is an item of its own, and the leaky
// controller's limiter keeps each one (and the object it points to), while
// the fixed one keeps none. The delaying queue runs on a fake clock, so the
// leaky controller's items wait until the test moves time on.
func TestPointerItemsStayTracked(t *testing.T) {
	const objects, events = 4, 40 // each object added once, then updated
	want := map[string]int{"leaky": events, "fixed": 0}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			clk := testingclock.NewFakeClock(time.Unix(1e9, 0))
			// The default limiter: its bucket's burst of 100 lets the 40
			// events through at once, its per-item backoff delays each
			// new item by 5ms of the fake clock.
			h := startHarness(t, setup{items: "pointer", kind: kind,
				limiter: workqueue.DefaultControllerRateLimiter(), clock: clk})
			for i := range events {
				typ := watch.Modified
				if i < objects {
					typ = watch.Added
				}
				send(h, typ, fmt.Sprintf("obj-%06d", i%objects), i+1)
			}
			if kind == "leaky" {
				waitHeld(t, h, events)
			}
			syncStepping(t, h, clk, events)

			if got := h.limiter.count(); got != want[kind] {
				t.Errorf("after %d events for %d objects, all synced, the rate limiter tracks %d items, want %d",
					events, objects, got, want[kind])
			}
		})
	}
}

// waitHeld waits until the handlers have rate limited n items, and checks
// that the fake clock holds them all back.
func waitHeld(t *testing.T, h *harness, n int) {
	t.Helper()
	for end := time.Now().Add(deadline); h.limiter.count() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the rate limiter saw %d items after %v, want %d", h.limiter.count(), deadline, n)
		}
	}
	if synced, ready := h.synced.Load(), h.ctrl.Len(); synced != 0 || ready != 0 {
		t.Fatalf("before the fake clock moved: %d synced, %d ready; want every item delayed", synced, ready)
	}
}

// syncStepping moves the fake clock on until n syncs have succeeded: one
// per event, since pointer items are never merged.
func syncStepping(t *testing.T, h *harness, clk *testingclock.FakeClock, n int64) {
	t.Helper()
	for end := time.Now().Add(deadline); h.synced.Load() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%d syncs after %v, want %d", h.synced.Load(), deadline, n)
		}
		clk.Step(time.Second)
	}
	if got := h.synced.Load(); got != n {
		t.Fatalf("%d syncs, want exactly %d: one per event", got, n)
	}
}
