package callbacks // want package:"queue-free"

// Package callbacks imports neither client-go's cache nor its workqueue,
// directly or not: the analyzer builds no call graph for it, and still
// tells importers which funcs it returns call their parameters.

import "log"

// Logged returns a func that logs and calls f: stored in a handler field,
// f is an event handler of the package that passes it.
func Logged(f func(interface{})) func(interface{}) { // want Logged:"returns a func that calls param 0$"
	return func(obj interface{}) {
		log.Printf("event %v", obj)
		f(obj)
	}
}
