package helpers

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Enqueue is a helper in another package: its fact crosses the import.
func Enqueue(q workqueue.RateLimitingInterface, obj interface{}) { // want Enqueue:"reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:10:4 via helpers.Enqueue$"
	q.AddRateLimited(obj)
}

// Handler is a factory in another package: the handler it returns
// reaches AddRateLimited.
func Handler(q workqueue.RateLimitingInterface) func(interface{}) { // want Handler:"returns a func that reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:17:5 via helpers.Handler.func1$"
	return func(obj interface{}) {
		q.AddRateLimited(obj)
	}
}

// Funcs builds a handler from the funcs it is given: they are event
// handlers of the package that passes them, whose adds it fixes.
func Funcs(add, del func(interface{})) cache.ResourceEventHandler { // want Funcs:"param 0 is handler cache.ResourceEventHandlerFuncs.AddFunc; param 1 is handler cache.ResourceEventHandlerFuncs.UpdateFunc$"
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    add,
		UpdateFunc: func(old, new interface{}) { del(new) },
	}
}
