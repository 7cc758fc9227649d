package main

import (
	"os"
	"runtime/debug"
)

// gcAfterLoad is the GOGC the analysis runs with: the heap may grow a
// quarter above what is live after each collection.
const gcAfterLoad = 25

// capHeap keeps the analysis near the memory the load already took.
// Loading a module's syntax and types dominates queuefix's footprint; the
// analysis after it allocates far less, but left to GOGC 100 the heap
// would grow to twice what is live. GOGC 25 makes the collector run a
// little more often instead, with a goal that follows the live heap. A
// soft memory limit 20% above what the runtime held after the load did
// the same on small modules, but its goal stays put while the analysis's
// own data raises the live heap: on the bench's module of 1,000 packages
// the live heap reached the limit and the collector ran back to back,
// each time marking 800 MB, for about 10% more CPU and the same peak RSS.
// A GOGC the user set is left alone.
func capHeap() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcAfterLoad)
	}
}
