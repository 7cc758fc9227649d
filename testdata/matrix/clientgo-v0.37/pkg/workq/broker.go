// Package workq holds queue plumbing shared by the controllers.
package workq

import "k8s.io/client-go/util/workqueue"

// Queue is a rate limiting queue that knows its name, for log lines.
type Queue interface {
	workqueue.RateLimitingInterface
	Name() string
}

type named struct {
	workqueue.RateLimitingInterface
	name string
}

func (q named) Name() string { return q.name }

// Broker owns a queue so that the event handlers and the workers of a
// controller can be built in different places.
type Broker struct {
	queue Queue
}

func NewBroker(name string) *Broker {
	q := workqueue.NewRateLimitingQueueWithConfig(workqueue.DefaultControllerRateLimiter(), workqueue.RateLimitingQueueConfig{Name: name})
	return &Broker{queue: named{RateLimitingInterface: q, name: name}}
}

// GetQueue returns the broker's queue.
func (b *Broker) GetQueue() Queue { return b.queue }
