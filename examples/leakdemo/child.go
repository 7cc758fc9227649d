package main

import (
	"encoding/json"
	"io"
	"math"
	"runtime"
	"time"

	"k8s.io/client-go/util/workqueue"
)

// sample is one controller's state at the end of one second of the run. The
// child fills the first part; the parent, from the child's records, the rest.
type sample struct {
	T       int     `json:"t"`          // seconds since the start
	At      int64   `json:"at_unix_ns"` // when the sample was taken
	Events  int64   `json:"events"`     // events sent so far
	Synced  int64   `json:"synced"`     // successful syncs so far
	Tracked int     `json:"tracked"`    // items the rate limiter tracks
	Queued  int     `json:"queued"`     // items ready for a worker
	HeapMiB float64 `json:"heap_mib"`   // live heap of the child at its last GC
	RSSMiB  float64 `json:"rss_mib"`    // resident memory of the child

	Waiting   int     `json:"waiting"`   // items in the delaying queue, not ready yet
	Latencies int     `json:"latencies"` // events synced in this second
	P50ms     float64 `json:"p50_ms"`    // their event-to-sync latency
	P99ms     float64 `json:"p99_ms"`
	Unsynced  int     `json:"unsynced"`  // events sent and not synced yet
	OldestMs  float64 `json:"oldest_ms"` // age of the oldest of them
}

// runChild runs one controller under the event stream and writes its records
// and a sample per second to out. It runs in its own process so that the
// memory figures are the controller's own.
func runChild(o options, out io.Writer) error {
	rec := newRecorder(out)
	h := newHarness(setup{
		items: o.items, kind: o.child,
		limiter: workqueue.DefaultControllerRateLimiter(),
		fail:    hashPick(o.fail, o.seed),
		rec:     rec,
	})
	stop := make(chan struct{})
	defer close(stop)
	h.start(o.workers, stop)
	runtime.GC() // so that the live heap is known from the first sample on

	start := time.Unix(0, o.start)
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		h.feed(newStream(o.seed, o.objects), start, o.rate, o.duration)
	}()

	for t := 1; t <= seconds(o.duration); t++ {
		time.Sleep(time.Until(start.Add(time.Duration(t) * time.Second)))
		s, err := h.sample(t)
		if err != nil {
			return err
		}
		js, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if err := rec.sample(js); err != nil {
			return err
		}
	}
	<-fed
	return nil
}

// seconds returns how many samples a run of d takes.
func seconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}

// feed sends the stream's events at rate per second from start for d. A slow
// informer delays the sender, never drops events.
func (h *harness) feed(s *stream, start time.Time, rate float64, d time.Duration) {
	n := int(rate * d.Seconds())
	for i := range n {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		time.Sleep(time.Until(at))
		h.send(s.next())
	}
}

// sample reads the controller's state and this process's memory.
func (h *harness) sample(t int) (sample, error) {
	mem, err := readRSS("self")
	if err != nil {
		return sample{}, err
	}
	return sample{
		T:       t,
		At:      time.Now().UnixNano(),
		Events:  h.sent.Load(),
		Synced:  h.synced.Load(),
		Tracked: h.limiter.count(),
		Queued:  h.ctrl.Len(),
		HeapMiB: float64(liveHeap()) / mib,
		RSSMiB:  float64(mem.now) / mib,
	}, nil
}
