package walk

import (
	"cmp"
	"fmt"
	"strings"
	"testing"
)

const pathsHead = `package ctrl

import "k8s.io/client-go/util/workqueue"

type State int

const (
	Success State = iota
	Error
	ErrorNoRetry
)

type C struct{ queue workqueue.RateLimitingInterface }

func (c *C) state(key interface{}) State { return Success }
func (c *C) sync(key interface{}) error  { return nil }
`

// onePaths scans src, which has one worker, and walks it in mode.
func onePaths(t *testing.T, src string, mode Mode) (*Walker, *Worker, []*Path) {
	t.Helper()
	s := memScan(t, src)
	if len(s.Workers()) != 1 {
		t.Fatalf("%d workers, want 1:\n%s", len(s.Workers()), src)
	}
	w, wl := s.Workers()[0], s.Walker(mode)
	paths, err := wl.Paths(w)
	if err != nil {
		t.Fatalf("walk:\n%s\n%v", src, err)
	}
	return wl, w, paths
}

// TestPathsSplitWorker checks the paths of the split shape: Get in a
// loop, the outcome in a switch, one path per case.
func TestPathsSplitWorker(t *testing.T) {
	src := pathsHead + `
func (c *C) run() {
	for {
		key, quit := c.queue.Get()
		if quit {
			return
		}
		switch c.state(key) {
		case Success:
		case Error:
			c.queue.AddRateLimited(key)
		case ErrorNoRetry:
			c.queue.Forget(key)
		}
	}
}
`
	_, _, paths := onePaths(t, src, Forget)
	var got []string
	for _, p := range paths {
		got = append(got, p.Via+":"+map[bool]string{true: "needs", false: "done"}[p.NeedsForget()])
	}
	want := "in case Success:needs in case Error:done in case ErrorNoRetry:done"
	if strings.Join(got, " ") != want {
		t.Errorf("paths %v, want %s", got, want)
	}
}

// TestPathsDone counts Done on every path in the done mode: a deferred
// Done counts once the worker's function returns; without Done, one
// deferred Done after the shutdown check serves every path.
func TestPathsDone(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		dones      string // Dones per path
		deferAt    string // the statement a deferred Done goes before, "" for none
	}{
		{"deferred", `
	defer c.queue.Done(key)
	if err := c.sync(key); err != nil {
		c.queue.AddRateLimited(key)
		return
	}
	c.queue.Forget(key)
`, "[1 1]", ""},
		{"on one path only", `
	if err := c.sync(key); err != nil {
		c.queue.Done(key)
		return
	}
`, "[1 0]", ""},
		{"none", `
	if err := c.sync(key); err != nil {
		return
	}
	c.queue.Forget(key)
`, "[0 0]", "if err := c.sync(key); err != nil {"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := pathsHead + `
func (c *C) work() {
	key, quit := c.queue.Get()
	if quit {
		return
	}` + tc.body + "}\n"
			wl, w, paths := onePaths(t, src, Done)
			var dones []int
			for _, p := range paths {
				dones = append(dones, p.Dones)
			}
			if fmt.Sprint(dones) != tc.dones {
				t.Errorf("body:%s\nDones per path %v, want %s", tc.body, dones, tc.dones)
			}
			got := ""
			if pt := wl.DeferPoint(w, paths); pt != nil {
				stmt, why := pt.Stmt("Done")
				if stmt != "c.queue.Done(key)" {
					t.Errorf("body:%s\nstatement %q (%s), want c.queue.Done(key)", tc.body, stmt, why)
				}
				off := wl.sc.s.fset.Position(pt.Pos()).Offset
				got = strings.SplitN(src[off:], "\n", 2)[0]
			}
			if got != tc.deferAt {
				t.Errorf("body:%s\ndefer before %q, want %q", tc.body, got, tc.deferAt)
			}
		})
	}
}

// TestPathsDoneSwitchTag follows, in the done mode, a helper called in a
// switch tag that defers Done: every case's path has its Done.
func TestPathsDoneSwitchTag(t *testing.T) {
	src := pathsHead + `
func (c *C) process(key interface{}) State {
	defer c.queue.Done(key)
	if c.sync(key) != nil {
		return Error
	}
	return Success
}

func (c *C) run() {
	for {
		key, quit := c.queue.Get()
		if quit {
			return
		}
		switch c.process(key) {
		case Success:
			c.queue.Forget(key)
		case Error:
			c.queue.AddRateLimited(key)
		}
	}
}
`
	_, _, paths := onePaths(t, src, Done)
	var got []string
	for _, p := range paths {
		got = append(got, fmt.Sprintf("%s:%d", p.Via, p.Dones))
	}
	// process returns Error on one path and Success on the other: each
	// takes its own case.
	want := "in case Success:1 in case Error:1"
	if strings.Join(got, " ") != want {
		t.Errorf("paths %v, want %s", got, want)
	}
}

// TestPathsForgetSwitchTag follows, in the forget mode, a helper called in
// a switch tag that requeues or forgets the item: each path goes on into
// the case of the constant the helper returned on it, and a path whose
// returned value the walk does not know goes into every case.
func TestPathsForgetSwitchTag(t *testing.T) {
	for _, tc := range []struct {
		name, process, cases, want string
	}{{
		name: "constants",
		process: `	if c.sync(key) != nil {
		c.queue.AddRateLimited(key)
		return Error
	}
	if key == "" {
		c.queue.Forget(key)
		return ErrorNoRetry
	}
	return Success`,
		// requeued in case Error, forgotten in case ErrorNoRetry, the
		// success path in case Success: no path takes another's case.
		want: "in case Success:needs in case Error:requeued in case ErrorNoRetry:forgets",
	}, {
		name: "unknown value",
		process: `	if c.sync(key) != nil {
		c.queue.AddRateLimited(key)
	}
	return c.state(key)`,
		want: "in case Success:requeued in case Success:needs in case Error:requeued in case Error:needs in case ErrorNoRetry:requeued in case ErrorNoRetry:needs",
	}, {
		name: "default",
		process: `	if c.sync(key) != nil {
		c.queue.AddRateLimited(key)
		return Error
	}
	return ErrorNoRetry`,
		cases: "case Success:\n\t\tdefault:\n",
		// ErrorNoRetry is listed by no case: only the default takes it.
		want: "in the default case:requeued in the default case:needs",
	}, {
		name: "no case matches",
		process: `	if c.sync(key) != nil {
		c.queue.AddRateLimited(key)
		return Error
	}
	return Success`,
		cases: "case Success:\n",
		want:  "in case Success:needs when no case matches:requeued",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			src := pathsHead + `
func (c *C) process(key interface{}) State {
` + tc.process + `
}

func (c *C) run() {
	for {
		key, quit := c.queue.Get()
		if quit {
			return
		}
		switch c.process(key) {
		` + cmp.Or(tc.cases, "case Success:\n\t\tcase Error:\n\t\tcase ErrorNoRetry:\n") + `		}
	}
}
`
			_, _, paths := onePaths(t, src, Forget)
			var got []string
			for _, p := range paths {
				got = append(got, p.Via+":"+fate(p))
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("process:\n%s\npaths %v\nwant  %s", tc.process, got, tc.want)
			}
		})
	}
}

// fate names what a path did with the item, for the forget mode.
func fate(p *Path) string {
	switch {
	case p.Requeued:
		return "requeued"
	case p.Forgets > 0:
		return "forgets"
	case p.NeedsForget():
		return "needs"
	}
	return "other"
}
