package main

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// tracker turns one child's records into samples. It runs in the parent, so
// its tables do not weigh on the heap of the controller it measures.
type tracker struct {
	pending map[string][]sent // events not synced yet, per key, oldest first
	readyAt map[string]int64  // delayed string keys: earliest ready time, as the queue keeps it
	items   readyTimes        // delayed items of their own (*key): each one's ready time
	lat     []time.Duration   // latencies of the events synced since the last sample
}

type sent struct{ at, rv int64 }

func newTracker() *tracker {
	return &tracker{pending: map[string][]sent{}, readyAt: map[string]int64{}}
}

func (tr *tracker) event(at, rv int64, key string) {
	tr.pending[key] = append(tr.pending[key], sent{at, rv})
}

// synced settles every event of key that the sync saw: those up to rv, or all
// of them once the object is gone (rv 0; names are never reused).
func (tr *tracker) synced(at, rv int64, key string) {
	evs := tr.pending[key]
	n := 0
	for n < len(evs) && (rv == 0 || evs[n].rv <= rv) {
		tr.lat = append(tr.lat, time.Duration(at-evs[n].at))
		n++
	}
	if n == len(evs) {
		delete(tr.pending, key)
		return
	}
	tr.pending[key] = evs[n:]
}

func (tr *tracker) delayed(at int64, key string) {
	if old, ok := tr.readyAt[key]; !ok || at < old {
		tr.readyAt[key] = at
	}
}

func (tr *tracker) delayedItem(at int64) {
	heap.Push(&tr.items, at)
}

// fill completes s, taken at s.At, with what the parent tracks.
func (tr *tracker) fill(s *sample) {
	s.Waiting = tr.waiting(s.At)
	slices.Sort(tr.lat)
	s.Latencies = len(tr.lat)
	s.P50ms = percentile(tr.lat, 0.50)
	s.P99ms = percentile(tr.lat, 0.99)
	tr.lat = tr.lat[:0]
	s.Unsynced, s.OldestMs = tr.unsynced(s.At)
}

// waiting reports how many delayed items are not ready at now, dropping the
// ones that are.
func (tr *tracker) waiting(now int64) int {
	for key, at := range tr.readyAt {
		if at <= now {
			delete(tr.readyAt, key)
		}
	}
	for len(tr.items) > 0 && tr.items[0] <= now {
		heap.Pop(&tr.items)
	}
	return len(tr.readyAt) + len(tr.items)
}

// readyTimes is a min-heap of ready times.
type readyTimes []int64

func (h readyTimes) Len() int           { return len(h) }
func (h readyTimes) Less(i, j int) bool { return h[i] < h[j] }
func (h readyTimes) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readyTimes) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *readyTimes) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// unsynced reports how many events wait for a sync and the age of the
// oldest in ms: the latency that the synced events do not show yet.
func (tr *tracker) unsynced(now int64) (n int, oldestMs float64) {
	oldest := now
	for _, evs := range tr.pending {
		n += len(evs)
		oldest = min(oldest, evs[0].at)
	}
	return n, float64(now-oldest) / float64(time.Millisecond)
}

// read parses a child's records and sends a sample for each second.
func (tr *tracker) read(r io.Reader, samples chan<- sample) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if len(line) < 2 {
			return fmt.Errorf("bad record %q", line)
		}
		if line[0] == recSample {
			var s sample
			if err := json.Unmarshal([]byte(line[2:]), &s); err != nil {
				return fmt.Errorf("bad sample %q: %w", line, err)
			}
			tr.fill(&s)
			samples <- s
			continue
		}
		if err := tr.apply(line); err != nil {
			return err
		}
	}
	return sc.Err()
}

// apply handles one event, sync or delay record.
func (tr *tracker) apply(line string) error {
	f := strings.SplitN(line, " ", 4)
	if len(f) != 4 {
		return fmt.Errorf("bad record %q", line)
	}
	at, err1 := strconv.ParseInt(f[1], 10, 64)
	rv, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("bad record %q", line)
	}
	switch f[0][0] {
	case recEvent:
		tr.event(at, rv, f[3])
	case recSynced:
		tr.synced(at, rv, f[3])
	case recDelayed:
		tr.delayed(at, f[3])
	case recDelayedItem:
		tr.delayedItem(at)
	default:
		return fmt.Errorf("bad record %q", line)
	}
	return nil
}

// percentile returns the nearest-rank q-th percentile of sorted, in ms.
func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i]) / float64(time.Millisecond)
}
