// Package donebase is a library's base controller: Finish ends an item's
// processing, Done included.
package donebase

import "k8s.io/client-go/util/workqueue"

type Base struct {
	Queue workqueue.RateLimitingInterface
}

func (b *Base) Finish(item interface{}, err error) {
	if err != nil {
		b.Queue.AddRateLimited(item)
	} else {
		b.Queue.Forget(item)
	}
	b.Queue.Done(item)
}
