package donectrl

import (
	"k8s.io/client-go/util/workqueue"
)

type C struct {
	queue workqueue.RateLimitingInterface
}

// process never calls Done: the fix defers it after the shutdown check.
func (c *C) process() bool {
	item, quit := c.queue.Get()
	if quit {
		return false
	}
	name, ok := item.(string) // want `worker never calls Done after c.queue.Get`
	if !ok {
		c.queue.Forget(item)
		return true
	}
	if err := c.sync(name); err != nil {
		c.queue.AddRateLimited(item)
		return true
	}
	c.queue.Forget(item)
	return true
}

// processEnd calls Done at its end but not on the invalid item's return.
func (c *C) processEnd() bool {
	item, quit := c.queue.Get()
	if quit {
		return false
	}
	name, ok := item.(string)
	if !ok {
		c.queue.Forget(item)
		return true // want `worker never calls Done when !ok is true`
	}
	if err := c.sync(name); err != nil {
		c.queue.AddRateLimited(item)
	} else {
		c.queue.Forget(item)
	}
	c.queue.Done(item)
	return true
}

// processGood defers Done: nothing to report.
func (c *C) processGood() bool {
	item, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(item)
	if err := c.sync(item.(string)); err != nil {
		c.queue.AddRateLimited(item)
		return true
	}
	c.queue.Forget(item)
	return true
}

func (c *C) sync(name string) error { return nil }
