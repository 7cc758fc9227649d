package main

import (
	"math"
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
// time in alternating runs). Each module's load (with -modules) may only raise
// the limit, so a small module never squeezes a large one.
func capHeap() {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	total := sample[0].Value.Uint64()
	limit := int64(total + total/5)
	capMu.Lock()
	defer capMu.Unlock()
	if current := debug.SetMemoryLimit(-1); current == math.MaxInt64 || limit > current {
		debug.SetMemoryLimit(limit)
	}
}
