package helpers

import "k8s.io/client-go/util/workqueue"

// Enqueue is a helper in another package: its fact crosses the import.
func Enqueue(q workqueue.RateLimitingInterface, obj interface{}) { // want Enqueue:"reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:7:2 via helpers.Enqueue"
	q.AddRateLimited(obj)
}

// Handler is a factory in another package: the handler it returns
// reaches AddRateLimited.
func Handler(q workqueue.RateLimitingInterface) func(interface{}) { // want Handler:"returns a func that reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:14:3 via helpers.Handler.func1"
	return func(obj interface{}) {
		q.AddRateLimited(obj)
	}
}
