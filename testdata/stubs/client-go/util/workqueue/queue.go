// Package workqueue is a stub of client-go's legacy (v0.26-era) workqueue
// API surface for fast tests; the real versions are tested separately.
package workqueue

import "time"

type Interface interface {
	Add(item interface{})
	Len() int
	Get() (item interface{}, shutdown bool)
	Done(item interface{})
	ShutDown()
	ShuttingDown() bool
}

type DelayingInterface interface {
	Interface
	AddAfter(item interface{}, duration time.Duration)
}

type RateLimitingInterface interface {
	DelayingInterface
	AddRateLimited(item interface{})
	Forget(item interface{})
	NumRequeues(item interface{}) int
}

type RateLimiter interface {
	When(item interface{}) time.Duration
	Forget(item interface{})
	NumRequeues(item interface{}) int
}

type limiter struct{ failures map[interface{}]int }

func (r *limiter) When(item interface{}) time.Duration {
	r.failures[item]++
	return time.Duration(r.failures[item]) * time.Millisecond
}
func (r *limiter) Forget(item interface{})          { delete(r.failures, item) }
func (r *limiter) NumRequeues(item interface{}) int { return r.failures[item] }

func DefaultControllerRateLimiter() RateLimiter {
	return &limiter{failures: map[interface{}]int{}}
}

type queue struct {
	items []interface{}
	rl    RateLimiter
}

func NewRateLimitingQueue(rl RateLimiter) RateLimitingInterface { return &queue{rl: rl} }

func NewNamedRateLimitingQueue(rl RateLimiter, name string) RateLimitingInterface {
	return &queue{rl: rl}
}

func (q *queue) Add(item interface{}) { q.items = append(q.items, item) }
func (q *queue) Len() int             { return len(q.items) }
func (q *queue) Get() (interface{}, bool) {
	if len(q.items) == 0 {
		return nil, true
	}
	item := q.items[0]
	q.items = q.items[1:]
	return item, false
}
func (q *queue) Done(item interface{})                      {}
func (q *queue) ShutDown()                                  {}
func (q *queue) ShuttingDown() bool                         { return false }
func (q *queue) AddAfter(item interface{}, d time.Duration) { q.Add(item) }
func (q *queue) AddRateLimited(item interface{})            { q.AddAfter(item, q.rl.When(item)) }
func (q *queue) Forget(item interface{})                    { q.rl.Forget(item) }
func (q *queue) NumRequeues(item interface{}) int           { return q.rl.NumRequeues(item) }
