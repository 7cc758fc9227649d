// Package handlers builds informer event handlers from plain callbacks.
package handlers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/tools/cache"
)

// Build returns a handler calling the given callbacks; nil ones are skipped.
func Build(add func(obj interface{}), update func(oldObj, newObj interface{}), del func(obj interface{})) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    add,
		UpdateFunc: update,
		DeleteFunc: del,
	}
}

// ForLabel returns a callback that passes "<namespace>/<value of label>" of
// the object it gets to enqueue, e.g. the service an EndpointSlice belongs to.
func ForLabel(label string, enqueue func(key string)) func(obj interface{}) {
	return func(obj interface{}) {
		m, err := meta.Accessor(obj)
		if err != nil {
			utilruntime.HandleError(err)
			return
		}
		if v := m.GetLabels()[label]; v != "" {
			enqueue(m.GetNamespace() + "/" + v)
		}
	}
}
