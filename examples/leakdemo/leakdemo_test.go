package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/util/workqueue"
)

// A sync must finish within this; the queues use millisecond delays in tests.
const deadline = 10 * time.Second

// startTest runs the string-key controller kind with one worker, so that a
// later key's sync proves an earlier key's worker step is over, and fast
// retries.
func startTest(t *testing.T, kind string, fail func(string) bool) *harness {
	t.Helper()
	limiter := workqueue.NewItemExponentialFailureRateLimiter(time.Millisecond, 10*time.Millisecond)
	return startHarness(t, setup{items: "string", kind: kind, limiter: limiter, fail: fail})
}

func startHarness(t *testing.T, s setup) *harness {
	t.Helper()
	h := newHarness(s)
	stop := make(chan struct{})
	h.start(1, stop)
	t.Cleanup(func() { close(stop) })
	return h
}

// requeues is the string-key controllers' NumRequeues.
type requeues interface {
	NumRequeues(key string) int
}

func send(h *harness, typ watch.EventType, name string, rv int) {
	h.send(watch.Event{Type: typ, Object: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
		Namespace: namespace, Name: name, ResourceVersion: fmt.Sprint(rv),
	}}})
}

// waitSynced polls until n syncs have succeeded.
func waitSynced(t *testing.T, h *harness, n int64) {
	t.Helper()
	for end := time.Now().Add(deadline); h.synced.Load() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%d syncs after %v, want %d", h.synced.Load(), deadline, n)
		}
	}
}

// settle syncs one more key and returns once it is synced: with one worker,
// every earlier worker step, Forget included, is then over.
func settle(t *testing.T, h *harness) {
	t.Helper()
	n := h.synced.Load()
	send(h, watch.Added, "barrier", 1000)
	waitSynced(t, h, n+1)
}

func TestHandlerEventsLeaveNoRequeues(t *testing.T) {
	// want is the NumRequeues of a key after one add and one update.
	want := map[string]int{"leaky": 2, "fixed": 0}
	keys := []string{"obj-000000", "obj-000001", "obj-000002"}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			h := startTest(t, kind, nil)
			for i, name := range keys {
				send(h, watch.Added, name, i+1)
			}
			waitSynced(t, h, int64(len(keys)))
			for i, name := range keys {
				send(h, watch.Modified, name, len(keys)+i+1)
			}
			waitSynced(t, h, int64(2*len(keys)))
			settle(t, h)

			for _, name := range keys {
				key := namespace + "/" + name
				if got := h.ctrl.(requeues).NumRequeues(key); got != want[kind] {
					t.Errorf("after add+update, NumRequeues(%q) = %d, want %d", key, got, want[kind])
				}
			}
			wantTracked := 0
			if kind == "leaky" {
				wantTracked = len(keys) + 1 // the barrier too
			}
			if got := h.limiter.count(); got != wantTracked {
				t.Errorf("rate limiter tracks %d keys, want %d", got, wantTracked)
			}
		})
	}
}

func TestFailedKeyIsForgottenAfterSuccess(t *testing.T) {
	// leaky: one When from the handler, one from the retry, no Forget.
	want := map[string]int{"leaky": 2, "fixed": 0}
	const name = "obj-000007"
	key := namespace + "/" + name
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			h := startTest(t, kind, func(k string) bool { return k == key })
			send(h, watch.Added, name, 1)
			waitSynced(t, h, 1)
			settle(t, h)

			if !h.fail.hasFailed(key) {
				t.Fatalf("sync of %q never failed; the test did not exercise the retry", key)
			}
			if got := h.ctrl.(requeues).NumRequeues(key); got != want[kind] {
				t.Errorf("after one failure and a successful retry, NumRequeues(%q) = %d, want %d", key, got, want[kind])
			}
		})
	}
}

func TestTrackerWaitingKeepsEarliestReadyTime(t *testing.T) {
	tr := newTracker()
	tr.delayed(100, "a")
	tr.delayed(200, "a") // the queue keeps the earlier one
	tr.delayed(300, "b")
	for _, tc := range []struct {
		now  int64
		want int
	}{{0, 2}, {150, 1}, {400, 0}} {
		if got := tr.waiting(tc.now); got != tc.want {
			t.Errorf("waiting at %d = %d, want %d", tc.now, got, tc.want)
		}
	}
}

func TestTrackerLatencyCountsEverySyncedEvent(t *testing.T) {
	ms := int64(time.Millisecond)
	tr := newTracker()
	tr.event(0, 1, "k")     // add
	tr.event(10*ms, 2, "k") // update, coalesced with the add
	tr.event(20*ms, 3, "k") // update the sync does not see yet
	tr.synced(30*ms, 2, "k")
	s := sample{At: 40 * ms}
	tr.fill(&s)
	if s.Latencies != 2 || s.P50ms != 20 || s.P99ms != 30 || s.Unsynced != 1 || s.OldestMs != 20 {
		t.Errorf("after syncing rv 2 of 3: %+v, want 2 latencies (30, 20 ms), 1 unsynced aged 20 ms", s)
	}
	tr.event(50*ms, 4, "k") // delete
	tr.synced(60*ms, 0, "k")
	s = sample{At: 70 * ms}
	tr.fill(&s)
	if s.Latencies != 2 || s.P99ms != 40 || s.Unsynced != 0 || len(tr.pending) != 0 {
		t.Errorf("after syncing the deleted key: %+v, pending %v; want 2 latencies up to 40 ms, none left", s, tr.pending)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct{ q, want float64 }{{0.5, 50}, {0.99, 99}, {1, 100}} {
		if got := percentile(d, tc.q); got != tc.want {
			t.Errorf("percentile(1..100ms, %v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile(nil) = %v, want 0", got)
	}
}

func TestStreamIsDeterministicAndNeverReusesNames(t *testing.T) {
	a, b := newStream(7, 10), newStream(7, 10)
	created := map[string]bool{}
	for i := range 2000 {
		ea, eb := a.next(), b.next()
		ma, mb := ea.Object.(*corev1.ConfigMap), eb.Object.(*corev1.ConfigMap)
		if ea.Type != eb.Type || ma.Name != mb.Name || ma.ResourceVersion != mb.ResourceVersion {
			t.Fatalf("event %d differs for the same seed: %s %s/%s vs %s %s/%s",
				i, ea.Type, ma.Name, ma.ResourceVersion, eb.Type, mb.Name, mb.ResourceVersion)
		}
		if ea.Type == watch.Added {
			if created[ma.Name] {
				t.Fatalf("event %d: name %s created twice", i, ma.Name)
			}
			created[ma.Name] = true
		}
	}
	if len(created) < 100 {
		t.Errorf("2000 events created %d objects, want churn", len(created))
	}
}

func TestChildPrintsOneSamplePerSecond(t *testing.T) {
	o := options{items: "pointer", duration: 2 * time.Second, rate: 50, workers: 2, fail: 0.02, objects: 20,
		seed: 1, child: "leaky", start: time.Now().UnixNano()}
	var out bytes.Buffer
	if err := runChild(o, &out); err != nil {
		t.Fatal(err)
	}
	samples := make(chan sample, 10)
	if err := newTracker().read(&out, samples); err != nil {
		t.Fatal(err)
	}
	close(samples)
	want := 1
	for s := range samples {
		if s.T != want || s.Events == 0 || s.HeapMiB <= 0 || s.RSSMiB <= s.HeapMiB || s.Latencies == 0 {
			t.Errorf("sample %d = %+v, want t=%d with events, heap, a larger RSS and latencies", want, s, want)
		}
		want++
	}
	if want != 3 {
		t.Errorf("got %d samples, want 2", want-1)
	}
}

func TestUsageHidesInternalFlags(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-h"}, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("run -h = %d, want 0", code)
	}
	got := stderr.String()
	for _, f := range []string{"-items", "-memlimit", "-duration", "-rate", "-workers", "-fail", "-json", "-plot", "-seed"} {
		if !strings.Contains(got, f) {
			t.Errorf("usage lacks %s:\n%s", f, got)
		}
	}
	for _, f := range []string{"-child", "-start"} {
		if strings.Contains(got, f) {
			t.Errorf("usage shows internal %s:\n%s", f, got)
		}
	}
}
