// Package handler is a stub of controller-runtime's (v0.14-era, untyped)
// event handlers for fast tests; the real versions are tested separately.
package handler

import (
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
)

type EventHandler interface {
	Create(event.CreateEvent, workqueue.RateLimitingInterface)
	Update(event.UpdateEvent, workqueue.RateLimitingInterface)
	Delete(event.DeleteEvent, workqueue.RateLimitingInterface)
	Generic(event.GenericEvent, workqueue.RateLimitingInterface)
}

type Funcs struct {
	CreateFunc  func(event.CreateEvent, workqueue.RateLimitingInterface)
	UpdateFunc  func(event.UpdateEvent, workqueue.RateLimitingInterface)
	DeleteFunc  func(event.DeleteEvent, workqueue.RateLimitingInterface)
	GenericFunc func(event.GenericEvent, workqueue.RateLimitingInterface)
}

func (h Funcs) Create(e event.CreateEvent, q workqueue.RateLimitingInterface) {
	if h.CreateFunc != nil {
		h.CreateFunc(e, q)
	}
}

func (h Funcs) Update(e event.UpdateEvent, q workqueue.RateLimitingInterface) {
	if h.UpdateFunc != nil {
		h.UpdateFunc(e, q)
	}
}

func (h Funcs) Delete(e event.DeleteEvent, q workqueue.RateLimitingInterface) {
	if h.DeleteFunc != nil {
		h.DeleteFunc(e, q)
	}
}

func (h Funcs) Generic(e event.GenericEvent, q workqueue.RateLimitingInterface) {
	if h.GenericFunc != nil {
		h.GenericFunc(e, q)
	}
}

// LowPriority is the priority of events that can wait.
const LowPriority = -100

// EnqueueRequestForObject adds the object of every event to the queue, with
// Add, as controller-runtime's does (there, a reconcile.Request for it).
type EnqueueRequestForObject struct{}

func (EnqueueRequestForObject) Create(e event.CreateEvent, q workqueue.RateLimitingInterface) {
	q.Add(e.Object)
}

func (EnqueueRequestForObject) Update(e event.UpdateEvent, q workqueue.RateLimitingInterface) {
	q.Add(e.ObjectNew)
}

func (EnqueueRequestForObject) Delete(e event.DeleteEvent, q workqueue.RateLimitingInterface) {
	q.Add(e.Object)
}

func (EnqueueRequestForObject) Generic(e event.GenericEvent, q workqueue.RateLimitingInterface) {
	q.Add(e.Object)
}
