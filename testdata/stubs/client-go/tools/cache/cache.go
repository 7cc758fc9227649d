// Package cache is a stub of client-go's informer handler API (v0.26-era,
// OnAdd(obj)) for fast tests; the real versions are tested separately.
package cache

import (
	"fmt"
	"time"
)

type ResourceEventHandler interface {
	OnAdd(obj interface{})
	OnUpdate(oldObj, newObj interface{})
	OnDelete(obj interface{})
}

type ResourceEventHandlerFuncs struct {
	AddFunc    func(obj interface{})
	UpdateFunc func(oldObj, newObj interface{})
	DeleteFunc func(obj interface{})
}

func (r ResourceEventHandlerFuncs) OnAdd(obj interface{}) {
	if r.AddFunc != nil {
		r.AddFunc(obj)
	}
}

func (r ResourceEventHandlerFuncs) OnUpdate(oldObj, newObj interface{}) {
	if r.UpdateFunc != nil {
		r.UpdateFunc(oldObj, newObj)
	}
}

func (r ResourceEventHandlerFuncs) OnDelete(obj interface{}) {
	if r.DeleteFunc != nil {
		r.DeleteFunc(obj)
	}
}

type FilteringResourceEventHandler struct {
	FilterFunc func(obj interface{}) bool
	Handler    ResourceEventHandler
}

func (r FilteringResourceEventHandler) OnAdd(obj interface{}) {
	if r.FilterFunc(obj) {
		r.Handler.OnAdd(obj)
	}
}

func (r FilteringResourceEventHandler) OnUpdate(oldObj, newObj interface{}) {
	r.Handler.OnUpdate(oldObj, newObj)
}

func (r FilteringResourceEventHandler) OnDelete(obj interface{}) { r.Handler.OnDelete(obj) }

type ResourceEventHandlerRegistration interface{ HasSynced() bool }

type SharedInformer interface {
	AddEventHandler(handler ResourceEventHandler) (ResourceEventHandlerRegistration, error)
	AddEventHandlerWithResyncPeriod(handler ResourceEventHandler, resync time.Duration) (ResourceEventHandlerRegistration, error)
	Run(stopCh <-chan struct{})
	HasSynced() bool
}

type SharedIndexInformer interface {
	SharedInformer
}

func MetaNamespaceKeyFunc(obj interface{}) (string, error) {
	if s, ok := obj.(fmt.Stringer); ok {
		return s.String(), nil
	}
	return "", fmt.Errorf("object has no key")
}

type DeletedFinalStateUnknown struct {
	Key string
	Obj interface{}
}

func DeletionHandlingMetaNamespaceKeyFunc(obj interface{}) (string, error) {
	if d, ok := obj.(DeletedFinalStateUnknown); ok {
		return d.Key, nil
	}
	return MetaNamespaceKeyFunc(obj)
}

func WaitForCacheSync(stopCh <-chan struct{}, cacheSyncs ...func() bool) bool { return true }
