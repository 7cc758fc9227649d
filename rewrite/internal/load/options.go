// Package load loads Go packages for the engine: with go/packages and
// export data for the dependencies, or type-checked from source when the
// build cache is cold, keeping the packages that do not type-check apart.
// It knows nothing of work queues.
package load

import "fmt"

// Options says what to load and how.
type Options struct {
	Dir   string   // working directory; patterns are relative to it
	Tags  []string // build tags
	Tests bool     // include _test.go files and test packages
	Env   []string // extra environment for the go command
	Mode  Mode     // where dependencies' types come from

	// Progress, if set, is told what the load is doing. It may be called
	// from several goroutines.
	Progress func(string)
}

func (o Options) progress(format string, args ...any) {
	if o.Progress != nil {
		o.Progress(fmt.Sprintf(format, args...))
	}
}
