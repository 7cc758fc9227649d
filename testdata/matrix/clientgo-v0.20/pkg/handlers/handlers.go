// Package handlers turns plain callbacks into informer event handlers.
package handlers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/tools/cache"
)

// Funcs builds an event handler from the given callbacks; any of them may be
// nil. Unless resync is set, updates that do not change the resource version
// (periodic resyncs of the informer) are dropped before update is called.
func Funcs(add func(obj interface{}), update func(oldObj, newObj interface{}), del func(obj interface{}), resync bool) cache.ResourceEventHandler {
	h := cache.ResourceEventHandlerFuncs{
		AddFunc:    add,
		DeleteFunc: del,
	}
	if update != nil {
		h.UpdateFunc = func(oldObj, newObj interface{}) {
			if !resync && sameVersion(oldObj, newObj) {
				return
			}
			update(oldObj, newObj)
		}
	}
	return h
}

func sameVersion(oldObj, newObj interface{}) bool {
	o, err := meta.Accessor(oldObj)
	if err != nil {
		return false
	}
	n, err := meta.Accessor(newObj)
	if err != nil {
		return false
	}
	return o.GetResourceVersion() == n.GetResourceVersion()
}
