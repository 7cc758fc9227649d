package load

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// inImportOrder calls do once for every package, on every CPU, each
// only after do returned for all its imports. pending holds a package's
// imports not yet done (the count of its imports at first); users are
// the packages that import it.
func inImportOrder[P any](all []P, pending func(P) *atomic.Int32, users func(P) []P, do func(P)) {
	ready := make(chan P, len(all))
	for _, p := range all {
		if pending(p).Load() == 0 {
			ready <- p
		}
	}
	var left, workers sync.WaitGroup
	left.Add(len(all))
	for range runtime.GOMAXPROCS(0) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for p := range ready {
				do(p)
				for _, u := range users(p) {
					if pending(u).Add(-1) == 0 {
						ready <- u
					}
				}
				left.Done()
			}
		}()
	}
	left.Wait()
	close(ready)
	workers.Wait()
}
