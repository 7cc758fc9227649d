// Package enqueue has informer callbacks shared by the DNS sources.
package enqueue

import (
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// WithPrefix returns an add/update callback that queues "<prefix>/<namespace>/<name>"
// for the object it is given, so one queue can carry several kinds:
//  * services are queued as service/<namespace>/<name>
//  * ingresses as ingress/<namespace>/<name>
func WithPrefix(q workqueue.RateLimitingInterface, prefix string) func(obj interface{}) {
	return func(obj interface{}) {
		key, err := cache.MetaNamespaceKeyFunc(obj)
		if err != nil {
			utilruntime.HandleError(err)
			return
		}
		q.AddRateLimited(prefix + "/" + key)
	}
}
