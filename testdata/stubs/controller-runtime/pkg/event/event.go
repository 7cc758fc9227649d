// Package event is a stub of controller-runtime's (v0.14-era, untyped)
// event types for fast tests; the real versions are tested separately.
package event

type CreateEvent struct{ Object interface{} }

type UpdateEvent struct{ ObjectOld, ObjectNew interface{} }

type DeleteEvent struct{ Object interface{} }

type GenericEvent struct{ Object interface{} }
