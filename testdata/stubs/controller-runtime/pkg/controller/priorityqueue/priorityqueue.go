// Package priorityqueue is a stub of controller-runtime's priority queue
// (v0.20+) for fast tests; the real versions are tested separately.
package priorityqueue

import (
	"time"

	"k8s.io/client-go/util/workqueue"
)

// AddOpts describes how an item is added.
type AddOpts struct {
	After       time.Duration
	RateLimited bool
	Priority    *int
}

// PriorityQueue is a work queue with priorities.
type PriorityQueue interface {
	workqueue.RateLimitingInterface
	AddWithOpts(o AddOpts, items ...interface{})
	GetWithPriority() (item interface{}, priority int, shutdown bool)
}
