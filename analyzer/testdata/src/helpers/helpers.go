package helpers

import "k8s.io/client-go/util/workqueue"

// Enqueue is a helper in another package: its fact crosses the import.
func Enqueue(q workqueue.RateLimitingInterface, obj interface{}) { // want Enqueue:"reaches AddRateLimited at example.com/analyzertest/src/helpers/helpers.go:7:2 via helpers.Enqueue"
	q.AddRateLimited(obj)
}
