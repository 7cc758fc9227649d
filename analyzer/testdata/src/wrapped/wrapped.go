// Package wrapped registers a handler built by a factory of a queue-free
// package (callbacks): the factory's summary makes the func passed to it
// an event handler here, so its add is fixed.
package wrapped

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"example.com/analyzertest/src/callbacks"
)

type C struct {
	queue workqueue.RateLimitingInterface
}

func New(inf cache.SharedIndexInformer) *C {
	c := &C{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: callbacks.Logged(c.enqueue)})
	return c
}

func (c *C) enqueue(obj interface{}) { // want enqueue:"via wrapped.\\(\\*C\\).enqueue$"
	c.queue.AddRateLimited(obj) // want `reached only from event handlers: .*handler path: cache.ResourceEventHandlerFuncs.AddFunc \(wrapped.go:19:79\) -> wrapped.\(\*C\).enqueue$`
}
