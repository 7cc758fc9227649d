package ctrl

import (
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

type Controller struct {
	queue  workqueue.RateLimitingInterface
	failed []string
}

func New(informer cache.SharedIndexInformer, stop <-chan struct{}) *Controller {
	c := &Controller{queue: workqueue.NewRateLimitingQueue(workqueue.DefaultControllerRateLimiter())}
	informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.enqueue,
	})
	go wait.Until(c.retryFailed, time.Minute, stop)
	return c
}

func (c *Controller) enqueue(obj interface{}) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		return
	}
	c.queue.AddRateLimited(key)
}

// retryFailed gives the keys the last pass failed on another try.
func (c *Controller) retryFailed() {
	for _, key := range c.failed {
		c.queue.AddRateLimited(key)
	}
	c.failed = nil
}
