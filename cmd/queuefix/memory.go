package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

var capMu sync.Mutex

// capHeap keeps the analysis near the memory the load already took.
// Loading a module's syntax and types dominates queuefix's footprint; the
// analysis after it allocates far less, but left to GOGC alone the heap
// would grow to twice what is live. A soft limit 20% above what the
// runtime holds once loading is done makes the collector run a little
// more often instead (at 40%, peak RSS was 1.34x the floor's on the
// bench's module of 200 packages; at 20% about 1.27x, for the same CPU
// time in alternating runs). With -modules the limit is lifted while any
// module loads (startLoad), and then may only be raised, so a small
// module never squeezes a large one.
//
// From there the limit alone paces the collector (GOGC is turned off):
// the engine drops about half of what the load holds before it builds
// the call graph and collects it (rewrite.Run), and GOGC would collect
// again as soon as the heap doubled from there, marking all the loaded
// packages once more, although the limit leaves room for the whole
// analysis. On the bench's 1,000 packages turning GOGC off saved about
// 0.7 s of CPU, 6% of the run (alternating runs).
//
// The analysis adds live data of its own (SSA, the call graph, the
// rules' summaries): on 1,000 packages loaded from source the live heap
// reached the limit and the collector ran back to back. So after every
// collection the limit is raised to 20% above the live heap, if that is
// higher.
//
// A GOGC or GOMEMLIMIT in the environment is the user's choice: then
// capHeap changes nothing.
func capHeap() {
	if userTuned() {
		return
	}
	raiseLimit(memory("/memory/classes/total:bytes"))
	debug.SetGCPercent(-1)
	followLive.Do(func() { afterEachGC(followLiveHeap) })
}

func userTuned() bool {
	return os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != ""
}

var followLive sync.Once

// loads counts the module loads under way (-modules runs two at a time).
var loads struct {
	sync.Mutex
	n int
}

// startLoad is called before a module's load starts; it returns the
// function to call once the load is over, loaded or failed (calls after
// the first do nothing). While any load runs, GOGC paces the collector as
// Go's default does, with no limit: a load keeps most of what it
// allocates, and the limit another module's analysis left, 20% above its
// live heap, would collect each time the heap grew by that much. On a
// fleet of examples/leaky and the bench's 1,000 packages (-modules, both
// loaded from source) the collector then ran back to back, a quarter of
// the CPU time. capHeap takes over when the last load is done.
func startLoad() (done func()) {
	if userTuned() {
		return func() {}
	}
	loads.Lock()
	if loads.n == 0 {
		capMu.Lock()
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		capMu.Unlock()
	}
	loads.n++
	loads.Unlock()
	return sync.OnceFunc(func() {
		loads.Lock()
		defer loads.Unlock()
		if loads.n--; loads.n == 0 {
			capHeap()
		}
	})
}

// followLiveHeap raises the limit after a collection, unless a load runs.
func followLiveHeap() {
	loads.Lock()
	defer loads.Unlock()
	if loads.n == 0 {
		raiseLimit(live())
	}
}

// raiseLimit sets the soft memory limit to 20% above n, unless it is
// higher already.
func raiseLimit(n uint64) {
	if n == 0 {
		return
	}
	limit := int64(n + n/5)
	capMu.Lock()
	defer capMu.Unlock()
	if current := debug.SetMemoryLimit(-1); current == math.MaxInt64 || limit > current {
		debug.SetMemoryLimit(limit)
	}
}

// live returns what the runtime holds besides the heap, plus the heap
// the last collection found live.
func live() uint64 {
	heap := memory("/memory/classes/heap/objects:bytes") + memory("/memory/classes/heap/unused:bytes") +
		memory("/memory/classes/heap/free:bytes") + memory("/memory/classes/heap/released:bytes")
	return memory("/memory/classes/total:bytes") - heap + memory("/gc/heap/live:bytes")
}

func memory(name string) uint64 {
	sample := []metrics.Sample{{Name: name}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

// gcSentinel is garbage from the moment it is made; its finalizer runs
// once per collection and makes it again.
type gcSentinel struct{ _ [64]byte }

// afterEachGC calls f after every garbage collection, for the life of
// the process.
func afterEachGC(f func()) {
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
			f()
			arm()
		})
	}
	arm()
}
