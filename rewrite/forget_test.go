package rewrite

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/queuefix/queuefix/rewrite/internal/memcheck"
	"github.com/queuefix/queuefix/rewrite/internal/walk"
)

// The forget rule on sources type-checked in memory against the client-go
// workqueue stub (no go command, no SSA): the rule plans its edits, and
// the edited source is judged again. The walk itself is tested in
// internal/walk.

// memIndex type-checks src as package ctrl and returns the index the
// rules run on.
func memIndex(t *testing.T, src string) *index {
	t.Helper()
	p := memcheck.Package(t, src)
	return newIndex([]*packages.Package{p}, time.Now().Add(time.Second))
}

// forgetFindings runs the forget rule on src.
func forgetFindings(t *testing.T, src string) ([]Finding, *index) {
	t.Helper()
	a := memIndex(t, src)
	findings, _ := a.forget(a.scan())
	return findings, a
}

// applyForget returns src with the rule's edits.
func applyForget(t *testing.T, src string, fs []Finding) string {
	t.Helper()
	var edits []Edit
	for _, f := range fs {
		edits = append(edits, f.Edits...)
	}
	return string(spliceEdits([]byte(src), edits, map[Edit][2]int{}))
}

const workerHead = `package ctrl

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/client-go/util/workqueue"
)

var _ = errors.New
var _ = fmt.Sprint
var _ = time.Second

const maxRetries = 5

type State int

const (
	Success State = iota
	Error
	ErrorNoRetry
)

type Job struct{ Name string }

type C struct {
	queue workqueue.RateLimitingInterface
	done  workqueue.RateLimitingInterface
	jobs  map[string]*Job
	ch    chan interface{}
	last  interface{}
	// pending is sent on c.ch, where the item escapes again.
	pending interface{}
	fn    func(interface{}) error
	fnq   func(interface{}, workqueue.RateLimitingInterface) error
	check func(interface{}) error
	store func(interface{})
}

func New(f func(interface{}) error, g func(interface{}, workqueue.RateLimitingInterface) error) *C {
	return &C{fn: f, fnq: g}
}

func (c *C) init() {
	c.check = c.pure
	c.store = func(key interface{}) { c.keep(key) }
}

func (c *C) sync(key string) error { return nil }
func (c *C) state(key interface{}) State {
	defer c.queue.Done(key)
	return Success
}
func (c *C) requeue(key interface{}) { c.queue.AddRateLimited(key) }
func (c *C) poll(key interface{}) error {
	if len(c.jobs) > 0 {
		c.queue.AddAfter(key, time.Second)
		return nil
	}
	return c.remote()
}
func (c *C) remote() error { return nil }
func (c *C) flush()        { c.ch <- c.pending }
func (c *C) process(key interface{}) bool {
	if err := c.sync(key.(string)); err != nil {
		c.queue.AddRateLimited(key)
		return true
	}
	return true
}
func (c *C) later(key interface{})   { c.queue.AddAfter(key, time.Second) }
func (c *C) keep(key interface{})    { c.last = key }
func (c *C) pure(key interface{}) error {
	fmt.Println("sync", key)
	if _, ok := c.jobs[key.(string)]; ok {
		return nil
	}
	return errors.New("missing")
}
`

// A case is a worker body (after Get) and the verdict the rule gives it.
type walkCase struct {
	name   string
	body   string
	status Status
	want   string // a piece of the message, or of the inserted text
}

var walkCases = []walkCase{
	{"success without Forget", `
	if err := c.sync(key.(string)); err != nil {
		c.queue.AddRateLimited(key)
		return
	}
`, Change, "after a successful c.sync"},
	{"drop after retries", `
	if err := c.sync(key.(string)); err != nil {
		if c.queue.NumRequeues(key) < maxRetries {
			c.queue.AddRateLimited(key)
			return
		}
		fmt.Println("dropping", key)
		return
	}
	c.queue.Forget(key)
`, Change, "after c.sync fails, when c.queue.NumRequeues(key) < maxRetries is false"},
	{"enum outcome in a callee", `
	switch c.state(key) {
	case Success:
	case Error:
		c.requeue(key)
	case ErrorNoRetry:
		c.queue.Forget(key)
	}
`, Change, "in case Success"},
	{"enum without every case falls through", `
	switch c.state(key) {
	case Error:
		c.queue.AddRateLimited(key)
	case ErrorNoRetry:
		c.queue.Forget(key)
	}
`, Review, "when no case matches, but no statement on that path"},
	{"custom backoff with AddAfter", `
	if err := c.pure(key); err != nil {
		c.later(key)
		return
	}
`, Change, "after a successful c.pure"},
	{"AddAfter in the sync, an error it passes on", `
	if err := c.poll(key); err != nil {
		c.queue.AddRateLimited(key)
		return
	}
`, Change, "after a successful c.poll, so the rate limiter keeps the item's failure count forever: inserting c.queue.Forget(key)"},
	{"goroutine", `
	go func() {
		if err := c.sync(key.(string)); err != nil {
			c.queue.AddRateLimited(key)
		}
	}()
`, Review, "handed to a goroutine"},
	{"stored by a helper in a field nothing reads", `
	c.keep(key)
`, Change, "after c.keep returns"},
	{"sent on a channel", `
	c.ch <- key
`, Review, "sent on a channel"},
	{"func value from code that is not analysed", `
	if err := c.fn(key); err != nil {
		c.queue.AddRateLimited(key)
		return
	}
`, Change, "after a successful c.fn"},
	{"func value handed the queue", `
	if err := c.fnq(key, c.queue); err != nil {
		c.queue.AddRateLimited(key)
		return
	}
`, Review, "together with a work queue, a func value queuefix cannot follow"},
	{"func value set to a method", `
	if err := c.check(key); err != nil {
		c.queue.AddRateLimited(key)
		return
	}
`, Change, "after a successful c.check"},
	{"func value set to a literal that keeps the item", `
	c.store(key)
`, Change, "after c.store returns"},
	{"stored in a map that is only looked up", `
	job := key.(*Job)
	c.jobs[job.Name] = job
`, Change, "inserting c.queue.Forget(key)"},
	{"stored in a channel's field read back by a sender", `
	c.pending = key
`, Review, "stored in c.pending"},
	{"forgets on every exit", `
	if err := c.sync(key.(string)); err != nil {
		if c.queue.NumRequeues(key) < maxRetries {
			c.queue.AddRateLimited(key)
			return
		}
		c.queue.Forget(key)
		return
	}
	c.queue.Forget(key)
`, Keep, "every exit after c.queue.Get requeues or forgets the item"},
	{"requeue in a loop", `
	for i := 0; i < 3; i++ {
		c.queue.AddRateLimited(key)
	}
`, Review, "inside a loop"},
	{"type switch on the item", `
	switch k := key.(type) {
	case string:
		if err := c.sync(k); err != nil {
			c.queue.AddRateLimited(k)
		}
	default:
		c.queue.Forget(key)
	}
`, Change, "c.queue.Forget(key)"},
}

// workerSrc wraps a body after Get.
func workerSrc(body string) string {
	return workerHead + `
func (c *C) work() {
	key, quit := c.queue.Get()
	if quit {
		return
	}
	defer c.queue.Done(key)` + body + `}
`
}

func TestForgetVerdicts(t *testing.T) {
	for _, tc := range walkCases {
		t.Run(tc.name, func(t *testing.T) {
			src := workerSrc(tc.body)
			fs, _ := forgetFindings(t, src)
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1: %+v", len(fs), fs)
			}
			f := fs[0]
			text := f.Message
			for _, e := range f.Edits {
				text += "\n" + e.New
			}
			if f.Status != tc.status || !strings.Contains(text, tc.want) {
				t.Errorf("body:%s\ngot %v: %s\nwant %v containing %q", tc.body, f.Status, text, tc.status, tc.want)
			}
		})
	}
}

// TestForgetInvariants walks every case again after its edits: no path
// both forgets and requeues the item with AddRateLimited (a Forget before
// or after a rate-limited requeue on one path), no path forgets it twice,
// and a second run changes nothing.
func TestForgetInvariants(t *testing.T) {
	for _, tc := range walkCases {
		t.Run(tc.name, func(t *testing.T) {
			src := workerSrc(tc.body)
			fs, _ := forgetFindings(t, src)
			fixed := applyForget(t, src, fs)
			again, a := forgetFindings(t, fixed)
			for _, f := range again {
				if f.Status == Change {
					t.Errorf("second run changes %s:\n%s", f.Message, fixed)
				}
			}
			scan := a.scan()
			wl := scan.Walker(walk.Forget)
			for _, w := range scan.Workers() {
				paths, err := wl.Paths(w)
				if err != nil {
					continue // left for review, before and after
				}
				for _, p := range paths {
					if p.Forgets > 0 && p.Limited && tc.status == Change {
						t.Errorf("a path ending at %v forgets and requeues the item rate limited:\n%s", a.fset.Position(p.End), fixed)
					}
					if p.Forgets > 1 {
						t.Errorf("a path ending at %v forgets the item %d times:\n%s", a.fset.Position(p.End), p.Forgets, fixed)
					}
				}
			}
		})
	}
}

// TestForgetNeverBeforeRequeue: a point that one path passes after its
// last sync and another before a sync that leads to a requeue is no place
// for Forget (it would reset the backoff of the requeue that follows).
func TestForgetNeverBeforeRequeue(t *testing.T) {
	src := workerSrc(`
	err := c.pure(key)
	fmt.Println("synced", key)
	if err != nil {
		if err := c.sync(key.(string)); err != nil {
			c.queue.AddRateLimited(key)
			return
		}
		fmt.Println("recovered")
		return
	}
`)
	fs, _ := forgetFindings(t, src)
	fixed := applyForget(t, src, fs)
	want := `	err := c.pure(key)
	fmt.Println("synced", key)
	if err != nil {
		if err := c.sync(key.(string)); err != nil {
			c.queue.AddRateLimited(key)
			return
		}
		c.queue.Forget(key)
		fmt.Println("recovered")
		return
	}
	c.queue.Forget(key)
}
`
	if !strings.HasSuffix(fixed, want) {
		t.Errorf("got:\n%s\nwant it to end with:\n%s", fixed, want)
	}
}

// TestForgetReturnedHelper: `return c.process(key)` runs the helper, which
// retries, and its success path gets Forget inside it.
func TestForgetReturnedHelper(t *testing.T) {
	src := workerHead + `
func (c *C) processNext() bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	return c.process(key)
}
`
	fs, _ := forgetFindings(t, src)
	fixed := applyForget(t, src, fs)
	want := "\t\treturn true\n\t}\n\tc.queue.Forget(key)\n\treturn true\n}"
	if len(fs) != 1 || fs[0].Status != Change || !strings.Contains(fixed, want) {
		t.Errorf("findings %+v; got:\n%s\nwant it to contain:\n%s", fs, fixed, want)
	}
}

// TestForgetOddGet: a Get whose item has no variable of its own still gets
// a verdict (review), and a Get in a worker on a queue nothing rate limits
// gets none.
func TestForgetOddGet(t *testing.T) {
	src := workerHead + `
func (c *C) drain() {
	for c.queue.Len() > 0 {
		c.queue.Get()
	}
}

type P struct{ q workqueue.RateLimitingInterface }

func NewP() *P { return &P{q: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())} }

func (p *P) work() {
	key, quit := p.q.Get()
	if quit {
		return
	}
	defer p.q.Done(key)
}
`
	fs, _ := forgetFindings(t, src)
	if len(fs) != 1 || fs[0].Status != Review || !strings.Contains(fs[0].Message, "cannot follow the item of c.queue.Get: its item is not assigned to a variable of its own") {
		t.Errorf("findings %+v, want one review of c.queue.Get", fs)
	}
}

// TestForgetPassedQueue: a handleErr that retries only through another
// helper never names the queue itself; Forget goes into it when the
// worker's c.queue hangs off a variable the call hands it (the same
// receiver, or the receiver passed as an argument of the same type),
// and the rule declines when that is not proven.
func TestForgetPassedQueue(t *testing.T) {
	cases := []struct {
		name, call, helper string
		status             Status
		want               string // in the fixed source, or the message
	}{
		{"same receiver", `c.retry(err, key)`, `
func (c *C) retry(err error, key interface{}) {
	if err == nil {
		return
	}
	c.requeue(key)
}
`, Change, "\tif err == nil {\n\t\tc.queue.Forget(key)\n\t\treturn\n\t}\n\tc.requeue(key)"},
		{"receiver passed as an argument", `retry(c, err, key)`, `
func retry(ctl *C, err error, key interface{}) {
	if err == nil {
		return
	}
	ctl.requeue(key)
}
`, Change, "\tif err == nil {\n\t\tctl.queue.Forget(key)\n\t\treturn\n\t}"},
		{"helper's first queue call is on another field", `c.retry(err, key)`, `
func (c *C) retry(err error, key interface{}) {
	if err == nil {
		_ = fmt.Sprint(c.done.Len())
		return
	}
	c.requeue(key)
}
`, Change, "\tif err == nil {\n\t\tc.queue.Forget(key)\n\t\t_ = fmt.Sprint(c.done.Len())"},
		{"helper reassigns its receiver", `c.retry(err, key)`, `
func (c *C) retry(err error, key interface{}) {
	if err == nil {
		c = &C{}
		return
	}
	c.requeue(key)
}
`, Review, "the queue has no name in a helper"},
		{"helper on a copy of the controller", `c.retry(err, key)`, `
func (c C) retry(err error, key interface{}) {
	if err == nil {
		return
	}
	c.requeue(key)
}
`, Review, "the queue has no name in a helper"},
		{"another controller passed", `retry(&C{}, err, key)`, `
func retry(ctl *C, err error, key interface{}) {
	if err == nil {
		return
	}
	ctl.requeue(key)
}
`, Review, "the queue has no name in a helper"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := workerHead + `
func (c *C) work() {
	key, quit := c.queue.Get()
	if quit {
		return
	}
	defer c.queue.Done(key)
	err := c.sync(key.(string))
	` + tc.call + `
}
` + tc.helper
			fs, _ := forgetFindings(t, src)
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1: %+v", len(fs), fs)
			}
			got := applyForget(t, src, fs) + "\n" + fs[0].Message
			if fs[0].Status != tc.status || !strings.Contains(got, tc.want) {
				t.Errorf("got %v: %s\nwant %v containing %q", fs[0].Status, got, tc.status, tc.want)
			}
		})
	}
}
