package main

import (
	"errors"
	"hash/fnv"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"

	fixed "github.com/queuefix/queuefix/examples/leakdemo/controller/fixed"
	leaky "github.com/queuefix/queuefix/examples/leakdemo/controller/leaky"
)

// ctrl is what the demo needs of any of the controllers.
type ctrl interface {
	Run(workers int, stopCh <-chan struct{}) error
	Len() int
}

type newCtrl func(cache.SharedIndexInformer, func(string) error, func() workqueue.RateLimitingInterface) ctrl

// controllers holds the two builds (leaky, fixed) of the controller for each
// kind of work item: string keys, or a new *key per event.
var controllers = map[string]map[string]newCtrl{
	"string": {
		"leaky": func(i cache.SharedIndexInformer, s func(string) error, q func() workqueue.RateLimitingInterface) ctrl {
			return leaky.New(i, s, q)
		},
		"fixed": func(i cache.SharedIndexInformer, s func(string) error, q func() workqueue.RateLimitingInterface) ctrl {
			return fixed.New(i, s, q)
		},
	},
	"pointer": {
		"leaky": func(i cache.SharedIndexInformer, s func(string) error, q func() workqueue.RateLimitingInterface) ctrl {
			return leaky.NewEventController(i, s, q)
		},
		"fixed": func(i cache.SharedIndexInformer, s func(string) error, q func() workqueue.RateLimitingInterface) ctrl {
			return fixed.NewEventController(i, s, q)
		},
	},
}

var errTransient = errors.New("transient error")

// harness is one controller with its informer, fake event source, sync
// function and the queue instrumentation, which lives here and not in the
// controller.
type harness struct {
	src      *source
	informer cache.SharedIndexInformer
	ctrl     ctrl
	limiter  *countingLimiter
	fail     *failer
	rec      *recorder        // nil outside the demo's child processes
	clock    clock.WithTicker // of the delaying queue
	sent     atomic.Int64
	synced   atomic.Int64
}

// setup says which controller a harness runs and how.
type setup struct {
	items   string // string or pointer
	kind    string // leaky or fixed
	limiter workqueue.RateLimiter
	fail    func(key string) bool // picks the keys whose first sync fails; nil: none
	rec     *recorder             // gets the records the parent needs; nil: none
	clock   clock.WithTicker      // nil: real time
}

// newHarness builds the controller s describes.
func newHarness(s setup) *harness {
	h := &harness{
		src:     newSource(),
		limiter: &countingLimiter{RateLimiter: s.limiter},
		fail:    &failer{pick: s.fail, failed: map[string]bool{}},
		rec:     s.rec,
		clock:   s.clock,
	}
	if h.clock == nil {
		h.clock = clock.RealClock{}
	}
	h.informer = cache.NewSharedIndexInformer(h.src, &corev1.ConfigMap{}, 0, cache.Indexers{})
	h.ctrl = controllers[s.items][s.kind](h.informer, h.sync, h.newQueue)
	return h
}

// newQueue is what the controller would build itself, with the limiter and
// the delaying queue wrapped to count and report.
func (h *harness) newQueue() workqueue.RateLimitingInterface {
	delays := &delayRecorder{
		DelayingInterface: workqueue.NewDelayingQueueWithConfig(workqueue.DelayingQueueConfig{Clock: h.clock}),
		rec:               h.rec,
	}
	return workqueue.NewRateLimitingQueueWithConfig(h.limiter, workqueue.RateLimitingQueueConfig{
		DelayingQueue: delays,
	})
}

// start runs the informer and the controller until stop is closed and
// returns once the informer has synced.
func (h *harness) start(workers int, stop <-chan struct{}) {
	go h.informer.Run(stop)
	go func() { _ = h.ctrl.Run(workers, stop) }()
	cache.WaitForCacheSync(stop, h.informer.HasSynced)
}

// send hands one event to the informer.
func (h *harness) send(ev watch.Event) {
	if m, err := meta.Accessor(ev.Object); err == nil {
		key := m.GetNamespace() + "/" + m.GetName()
		h.rec.record(recEvent, time.Now().UnixNano(), resourceVersion(m), key)
	}
	h.src.w.Action(ev.Type, ev.Object)
	h.sent.Add(1)
}

// sync stands in for real work: it looks the object up, as a controller
// would, and reports which version it saw.
func (h *harness) sync(key string) error {
	if h.fail.first(key) {
		return errTransient
	}
	obj, exists, err := h.informer.GetIndexer().GetByKey(key)
	if err != nil {
		return err
	}
	var rv int64 // 0: the object is gone
	if m, err := meta.Accessor(obj); exists && err == nil {
		rv = resourceVersion(m)
	}
	h.rec.record(recSynced, time.Now().UnixNano(), rv, key)
	h.synced.Add(1)
	return nil
}

func resourceVersion(m metav1.Object) int64 {
	rv, _ := strconv.ParseInt(m.GetResourceVersion(), 10, 64)
	return rv
}

// failer fails the first sync of the keys pick chooses, once per key.
type failer struct {
	pick   func(key string) bool
	mu     sync.Mutex
	failed map[string]bool
}

// hasFailed reports whether key's sync has failed.
func (f *failer) hasFailed(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed[key]
}

func (f *failer) first(key string) bool {
	if f.pick == nil || !f.pick(key) {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed[key] {
		return false
	}
	f.failed[key] = true
	return true
}

// hashPick chooses a fraction of keys, the same ones for a given seed.
func hashPick(fraction float64, seed uint64) func(string) bool {
	return func(key string) bool {
		h := fnv.New64a()
		var b [8]byte
		for i := range b {
			b[i] = byte(seed >> (8 * i))
		}
		h.Write(b[:])
		h.Write([]byte(key))
		return float64(h.Sum64()%1_000_000)/1_000_000 < fraction
	}
}
