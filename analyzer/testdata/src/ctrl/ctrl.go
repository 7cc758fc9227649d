package ctrl

import (
	"errors"

	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

type C struct {
	queue workqueue.RateLimitingInterface
}

func New(inf cache.SharedIndexInformer) *C {
	c := &C{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: c.enqueue})
	return c
}

func (c *C) enqueue(obj interface{}) { c.queue.Add(obj) }

// process lacks Forget on success: the fix inserts it before the return.
func (c *C) process() bool {
	item, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(item)
	if err := c.sync(item); err != nil {
		c.queue.AddRateLimited(item)
		return true
	}
	return true // want `worker never calls Forget after a successful c.sync`
}

// processGood forgets on success: nothing to report.
func (c *C) processGood() bool {
	item, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(item)
	if err := c.sync(item); err != nil {
		c.queue.AddRateLimited(item)
		return true
	}
	c.queue.Forget(item)
	return true
}

// processAsync hands the item to a goroutine: success is known only
// there, so it is reported without a fix.
func (c *C) processAsync() bool {
	item, quit := c.queue.Get() // want `the item of c.queue.Get escapes where it is handed to a goroutine`
	if quit {
		return false
	}
	defer c.queue.Done(item)
	go func() {
		if err := c.sync(item); err != nil {
			c.queue.AddRateLimited(item)
		}
	}()
	return true
}

func (c *C) sync(item interface{}) error {
	if item == nil {
		return errors.New("nil item")
	}
	return nil
}
