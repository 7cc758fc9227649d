package handlers

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"example.com/analyzertest/src/helpers"
)

type C struct {
	queue workqueue.RateLimitingInterface
}

func New(inf cache.SharedIndexInformer) *C {
	c := &C{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.enqueue, // want `event handler cache.ResourceEventHandlerFuncs.AddFunc reaches AddRateLimited at handlers.go:37:2: handler path: handlers.\(\*C\).enqueue; use Add: rate limiting`
		UpdateFunc: func(old, new interface{}) { // want `UpdateFunc reaches AddRateLimited at handlers.go:37:2: handler path: handlers.New.func1 -> handlers.\(\*C\).enqueue; use Add \(fixed with the first handler`
			c.enqueue(new)
		},
		DeleteFunc: func(obj interface{}) { // want `DeleteFunc reaches AddRateLimited at handlers.go:42:2: handler path: handlers.New.func2 -> handlers.\(\*C\).requeueAll; not fixed here: handlers.\(\*C\).requeueAll is also used as a value at handlers.go:57:10`
			c.requeueAll(obj)
		},
	})
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) { helpers.Enqueue(c.queue, obj) }, // want `reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:7:2: handler path: handlers.New.func3 -> helpers.Enqueue; not fixed here: the path leaves the package`
		UpdateFunc: func(old, new interface{}) { // want `handler path: handlers.New.func4 -> handlers.\(\*C\).Enqueue; not fixed here: handlers.\(\*C\).Enqueue can be called from outside the package`
			c.Enqueue(new)
		},
		DeleteFunc: func(obj interface{}) { c.queue.Add(obj) },
	})
	return c
}

// enqueue is reached only from handlers: the fix applies.
func (c *C) enqueue(obj interface{}) { // want enqueue:"via handlers.\\(\\*C\\).enqueue$"
	c.queue.AddRateLimited(obj)
}

// requeueAll is shared with a periodic resync: no fix.
func (c *C) requeueAll(obj interface{}) { // want requeueAll:"at example.com/analyzertest/src/handlers/handlers.go:42:2 via handlers.\\(\\*C\\).requeueAll$"
	c.queue.AddRateLimited(obj)
}

// Enqueue is exported: callers elsewhere may rely on rate limiting.
func (c *C) Enqueue(obj interface{}) { // want Enqueue:"via handlers.\\(\\*C\\).Enqueue$"
	c.queue.AddRateLimited(obj)
}

func (c *C) process() { // want process:"via handlers.\\(\\*C\\).process$"
	item, _ := c.queue.Get()
	defer c.queue.Done(item)
	c.queue.AddRateLimited(item) // the worker's retry: no handler reaches it
}

func (c *C) Run(every func(func(interface{}))) { // want Run:"via handlers.\\(\\*C\\).Run -> handlers.\\(\\*C\\).process$"
	every(c.requeueAll)
	c.process()
}
