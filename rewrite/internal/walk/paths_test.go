package walk

import (
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
	// process returns on two paths, each goes into every case.
	want := "in case Success:1 in case Success:1 in case Error:1 in case Error:1 when no case matches:1 when no case matches:1"
	if strings.Join(got, " ") != want {
		t.Errorf("paths %v, want %s", got, want)
	}
}
