// Package workq holds queue plumbing shared by the controllers.
package workq

import "k8s.io/client-go/util/workqueue"

// Broker owns a named rate limiting queue so that the event handlers and the
// workers of a controller can be built in different places.
type Broker struct {
	name  string
	queue workqueue.RateLimitingInterface
}

// NewBroker returns a Broker whose queue uses the default controller rate limiter.
func NewBroker(name string) *Broker {
	return &Broker{
		name:  name,
		queue: workqueue.NewNamedRateLimitingQueue(workqueue.DefaultControllerRateLimiter(), name),
	}
}

// Name returns the queue name used for metrics.
func (b *Broker) Name() string { return b.name }

// GetQueue returns the broker's queue.
func (b *Broker) GetQueue() workqueue.RateLimitingInterface { return b.queue }

// ShutDown makes workers blocked in Get return.
func (b *Broker) ShutDown() { b.queue.ShutDown() }
