package rotator

import "k8s.io/client-go/util/workqueue"

// WorkQueue is the rotator's queue: a rate limiting queue that knows its name
// for log lines.
type WorkQueue interface {
	workqueue.RateLimitingInterface
	Name() string
}

type namedQueue struct {
	workqueue.RateLimitingInterface
	name string
}

func (q namedQueue) Name() string { return q.name }

func newQueue(name string) WorkQueue {
	return namedQueue{
		RateLimitingInterface: workqueue.NewRateLimitingQueueWithConfig(
			workqueue.DefaultControllerRateLimiter(),
			workqueue.RateLimitingQueueConfig{Name: name},
		),
		name: name,
	}
}
