package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"k8s.io/client-go/util/workqueue"
)

// countingLimiter counts the items its rate limiter tracks: those with a When
// and no Forget since. It asks the wrapped limiter instead of keeping a copy
// of the items, so it adds nothing to the heap being measured.
type countingLimiter struct {
	workqueue.RateLimiter

	mu      sync.Mutex // makes check-then-call atomic per item
	tracked int
}

func (l *countingLimiter) When(item interface{}) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.RateLimiter.NumRequeues(item) == 0 {
		l.tracked++
	}
	return l.RateLimiter.When(item)
}

func (l *countingLimiter) Forget(item interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.RateLimiter.NumRequeues(item) > 0 {
		l.tracked--
	}
	l.RateLimiter.Forget(item)
}

// count reports how many items the limiter tracks.
func (l *countingLimiter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tracked
}

// delayRecorder reports every delayed add of a delaying queue, so that the
// parent can tell which items still wait without this process keeping them.
type delayRecorder struct {
	workqueue.DelayingInterface
	rec *recorder
}

func (d *delayRecorder) AddAfter(item interface{}, delay time.Duration) {
	if delay > 0 {
		d.recordDelay(item, time.Now().Add(delay).UnixNano())
	}
	d.DelayingInterface.AddAfter(item, delay)
}

// recordDelay tells string keys, which the queue holds once however often
// they are added, from other items, each of which waits on its own.
func (d *delayRecorder) recordDelay(item interface{}, readyAt int64) {
	switch item := item.(type) {
	case string:
		d.rec.record(recDelayed, readyAt, 0, item)
	case fmt.Stringer:
		d.rec.record(recDelayedItem, readyAt, 0, item.String())
	}
}

// Record tags of the child's output lines.
const (
	recEvent       = 'e' // e <sent at> <resourceVersion> <key>
	recSynced      = 's' // s <synced at> <resourceVersion seen, 0 if gone> <key>
	recDelayed     = 'w' // w <ready at> 0 <key>: a string key
	recDelayedItem = 'i' // i <ready at> 0 <key>: an item of its own, such as a *key
	recSample      = 't' // t <sample as JSON>
)

// recorder writes the child's records to the parent, which does all the
// bookkeeping: the child's heap holds only a fixed buffer for them. A nil
// recorder drops everything.
type recorder struct {
	mu  sync.Mutex
	w   *bufio.Writer
	buf []byte
}

func newRecorder(w io.Writer) *recorder {
	return &recorder{w: bufio.NewWriterSize(w, 64<<10)}
}

func (r *recorder) record(tag byte, at, rv int64, key string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := append(r.buf[:0], tag, ' ')
	b = strconv.AppendInt(b, at, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, rv, 10)
	b = append(b, ' ')
	b = append(b, key...)
	b = append(b, '\n')
	r.buf = b
	r.w.Write(b)
}

// sample writes a sample line and flushes, so the parent has every record up
// to it.
func (r *recorder) sample(js []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w.WriteByte(recSample)
	r.w.WriteByte(' ')
	r.w.Write(js)
	r.w.WriteByte('\n')
	return r.w.Flush()
}
