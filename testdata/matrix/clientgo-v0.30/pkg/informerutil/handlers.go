// Package informerutil has small helpers around client-go informers.
package informerutil

import "k8s.io/client-go/tools/cache"

// AddDelete returns a handler that calls onAdd and onDelete and ignores updates.
// It is meant for configuration objects whose content is read at sync time.
func AddDelete(onAdd func(obj interface{}, isInInitialList bool), onDelete func(obj interface{})) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerDetailedFuncs{
		AddFunc:    onAdd,
		DeleteFunc: onDelete,
	}
}
