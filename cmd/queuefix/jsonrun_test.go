package main

import (
	"path/filepath"
	"strings"
	"sync"
)

// jsonRuns holds queuefix -json's output by module and flags. The modules
// that use the real client-go (examples/leaky, testdata/matrix) are read
// by TestEveryCallHasAVerdict and by TestAnalyzersAgreeReal: queuefix
// reads a module the same way whichever test asks, so it runs once per
// module, and the second test checks the same output.
var jsonRuns sync.Map // dir and flags -> *jsonRun

type jsonRun struct {
	once           sync.Once
	stdout, stderr string
	code           int
}

// runJSON runs queuefix -json with flags in dir once, and returns that
// run's output to every caller. The output is the same for any spelling
// of dir: paths in it are relative to dir.
func runJSON(dir string, flags ...string) (stdout, stderr string, code int) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	v, _ := jsonRuns.LoadOrStore(abs+"\x00"+strings.Join(flags, "\x00"), new(jsonRun))
	r := v.(*jsonRun)
	r.once.Do(func() {
		r.stdout, r.stderr, r.code = runIn(abs, append([]string{"-json"}, flags...)...)
	})
	return r.stdout, r.stderr, r.code
}
