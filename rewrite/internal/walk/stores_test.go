package walk

import (
	"strings"
	"testing"
)

// storeHead is a controller whose worker stores its key somewhere; each
// case adds the code that reads the place back (or does not).
const storeHead = `package ctrl

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"k8s.io/client-go/util/workqueue"
)

var _ = fmt.Sprint
var _ = maps.Keys[map[string]bool]
var _ = slices.Sorted[string]
var _ = time.Now

type endpointCache struct {
	sync.Mutex
	m map[string]string
}

type entry struct {
	key string
	at  time.Time
}

type C struct {
	queue   workqueue.RateLimitingInterface
	cache   *endpointCache
	pending map[string]bool
	byName  map[string]string
	entries map[string]entry
	backlog []string
	last    string
	Last    string
}

func (c *C) sync(key string) error { return nil }

func (c *C) work() {
	item, quit := c.queue.Get()
	if quit {
		return
	}
	defer c.queue.Done(item)
	key := item.(string)
	if err := c.sync(key); err != nil {
		c.queue.AddRateLimited(key)
		return
	}
`

// storeCase is a store in the worker, after a successful sync, and the
// code around the place it stores to.
type storeCase struct {
	name   string
	store  string // worker statements after the sync succeeds
	more   string // declarations after the worker
	escape string // how the item escapes, "" when it does not
}

var storeCases = []storeCase{
	{"key in a lookup cache", `
	c.cache.Lock()
	c.cache.m[key] = "endpoint"
	c.cache.Unlock()
`, `
func (c *C) endpoint(key string) (string, bool) {
	c.cache.Lock()
	defer c.cache.Unlock()
	ep, ok := c.cache.m[key]
	fmt.Println("endpoints:", len(c.cache.m), ep)
	return ep, ok
}
func (c *C) deleted(key string) {
	delete(c.cache.m, key)
	if c.cache.m == nil {
		c.cache.m = make(map[string]string)
	}
}
`, ""},
	{"key in a map another goroutine drains into the queue", `
	c.pending[key] = true
`, `
func (c *C) Run() {
	go c.drain()
}
func (c *C) drain() {
	for k := range c.pending {
		c.queue.AddRateLimited(k)
		delete(c.pending, k)
	}
}
`, "stored as a key of c.pending"},
	{"key in a map drained by a func literal", `
	c.pending[key] = true
`, `
func (c *C) Run() {
	go func() {
		for k := range c.pending {
			c.queue.Add(k)
		}
	}()
}
`, "stored as a key of c.pending"},
	{"key in a map read back through a helper that requeues", `
	c.pending[key] = true
`, `
func (c *C) retryAll() {
	for k := range c.pending {
		c.retry(k)
	}
}
func (c *C) retry(k string) { c.queue.AddAfter(k, time.Second) }
`, "stored as a key of c.pending"},
	{"key in a map handed on whole", `
	c.pending[key] = true
`, `
func (c *C) keys() []string { return slices.Sorted(maps.Keys(c.pending)) }
`, "stored as a key of c.pending"},
	{"key in a map copied to a local", `
	c.pending[key] = true
`, `
func (c *C) count() int {
	m := c.pending
	return len(m)
}
`, "stored as a key of c.pending"},
	{"key in a map whose keys are only logged", `
	c.pending[key] = true
`, `
func (c *C) dump() {
	for k, v := range c.pending {
		fmt.Println(k, v)
	}
}
`, ""},
	{"value of a map read back and requeued", `
	c.byName["x"] = key
`, `
func (c *C) kick(name string) { c.queue.AddRateLimited(c.byName[name]) }
`, `stored in c.byName["x"]`},
	{"value of a map read back and compared", `
	c.byName["x"] = key
`, `
func (c *C) same(name, key string) bool { return c.byName[name] == key }
`, ""},
	{"field read back and requeued", `
	c.last = key
`, `
func (c *C) retryLast() {
	k := c.last
	c.queue.Forget(k)
}
`, "stored in c.last"},
	{"field read back and logged", `
	c.last = key
`, `
func (c *C) String() string { return fmt.Sprintf("last synced %s", c.last) }
`, ""},
	{"field read back and returned", `
	c.last = key
`, `
func (c *C) lastKey() string { return c.last }
`, "stored in c.last"},
	{"exported field", `
	c.Last = key
`, ``, "stored in c.Last"},
	{"appended to a slice only counted", `
	c.backlog = append(c.backlog, key)
`, `
func (c *C) trim() {
	if len(c.backlog) > 10 {
		c.backlog = c.backlog[1:]
	}
}
`, ""},
	{"appended to a slice drained into the queue", `
	c.backlog = append(c.backlog, key)
`, `
func (c *C) flush() {
	for _, k := range c.backlog {
		c.queue.Add(k)
	}
	c.backlog = nil
}
`, "appended to a slice"},
	{"struct field read back from a map and requeued", `
	c.entries[key] = entry{key: key, at: time.Now()}
`, `
func (c *C) expire() {
	for _, e := range c.entries {
		if time.Since(e.at) > time.Minute {
			c.queue.Add(e.key)
		}
	}
}
`, "stored in a composite literal"},
	{"struct field never read", `
	c.entries[key] = entry{key, time.Now()}
`, `
func (c *C) stale(k string) bool { return time.Since(c.entries[k].at) > time.Minute }
`, ""},
	{"read back into a second place that is drained", `
	c.pending[key] = true
`, `
func (c *C) promote() {
	for k := range c.pending {
		c.byName[k] = k
	}
}
func (c *C) flush() {
	for _, k := range c.byName {
		c.queue.Add(k)
	}
}
`, "stored as a key of c.pending"},
	{"map literal assigned to a field that is drained", `
	c.pending = map[string]bool{key: true}
`, `
func (c *C) drain() {
	for k := range c.pending {
		c.queue.Add(k)
	}
}
`, "stored in a composite literal"},
	{"map literal assigned to a lookup field", `
	c.pending = map[string]bool{key: true}
`, `
func (c *C) has(k string) bool { return c.pending[k] }
`, ""},
	{"key in a local map the worker drains into the queue", `
	retry := map[string]bool{}
	retry[key] = true
	for k := range retry {
		c.queue.AddRateLimited(k)
	}
`, ``, "stored as a key of retry"},
	{"key in a local map only looked up", `
	seen := map[string]bool{}
	seen[key] = true
	if seen["other"] {
		fmt.Println(len(seen))
	}
`, ``, ""},
	{"key appended to a local slice handed on", `
	keys := []string{}
	keys = append(keys, key)
	c.report(keys)
`, `
func (c *C) report(keys []string) {}
`, "appended to a slice"},
	{"key stored into a map parameter", `
	c.mark(c.pending, key)
`, `
func (c *C) mark(m map[string]bool, key string) { m[key] = true }
func (c *C) drain() {
	for k := range c.pending {
		c.queue.Add(k)
	}
}
`, "stored as a key of m in mark"},
}

// TestStores holds the escape judgement of stores to its data flow rule:
// a store lets the item escape only where analysed code reads it back
// into a work queue (or lets it out again), or code that is not analysed
// can reach the place.
func TestStores(t *testing.T) {
	for _, tc := range storeCases {
		t.Run(tc.name, func(t *testing.T) {
			s := memScan(t, storeHead+tc.store+"}\n"+tc.more)
			if len(s.Workers()) != 1 {
				t.Fatalf("%d workers, want 1", len(s.Workers()))
			}
			paths, err := s.Walker(Forget).Paths(s.Workers()[0])
			if err != nil {
				t.Fatalf("store:%s\nreads:%s\nwalk: %v", tc.store, tc.more, err)
			}
			got := ""
			if p := FirstEscape(paths); p != nil {
				got = p.Escape
			}
			if tc.escape == "" && got != "" || !strings.Contains(got, tc.escape) {
				t.Errorf("store:%s\nreads:%s\ngot escape %q, want %q", tc.store, tc.more, got, tc.escape)
			}
		})
	}
}
