package controller

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.37/pkg/handlers"
	"example.com/clientgo-v0.37/pkg/workq"
)

const maxRetries = 10

// MeshAPI is the service mesh control plane.
type MeshAPI interface {
	Push(ctx context.Context, service string, endpoints int) error
	// OnConfigChange registers fn to be called when the mesh wants a service re-pushed.
	OnConfigChange(fn func(service string))
}

// NoMesh is used when no mesh is configured.
type NoMesh struct{}

func (NoMesh) Push(context.Context, string, int) error { return nil }
func (NoMesh) OnConfigChange(func(string))             {}

// MeshController pushes the endpoints of every Service to the mesh.
type MeshController struct {
	services corelisters.ServiceLister
	slices discoverylisters.EndpointSliceLister
	broker *workq.Broker
	mesh MeshAPI
	synced []cache.InformerSynced
}

func NewMeshController(services, slices cache.SharedIndexInformer, broker *workq.Broker, mesh MeshAPI) (*MeshController, error) {
	c := &MeshController{
		services: corelisters.NewServiceLister(services.GetIndexer()),
		slices:   discoverylisters.NewEndpointSliceLister(slices.GetIndexer()),
		broker:   broker,
		mesh:     mesh,
	}
	svcReg, err := services.AddEventHandler(handlers.Build(c.onServiceAdd, c.onServiceUpdate, c.onServiceDelete))
	if err != nil {
		return nil, err
	}
	sliceReg, err := slices.AddEventHandler(&cache.FilteringResourceEventHandler{
		FilterFunc: func(obj interface{}) bool {
			s, ok := obj.(*discoveryv1.EndpointSlice)
			return ok && s.Labels[discoveryv1.LabelServiceName] != ""
		},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc: handlers.ForLabel(discoveryv1.LabelServiceName, c.enqueueKey),
			UpdateFunc: func(_, cur interface{}) {
				s := cur.(*discoveryv1.EndpointSlice)
				//queuefix:ignore debounce bursts from the cloud provider
				c.broker.GetQueue().AddRateLimited(s.Namespace + "/" + s.Labels[discoveryv1.LabelServiceName])
			},
		},
	})
	if err != nil {
		return nil, err
	}
	c.synced = []cache.InformerSynced{svcReg.HasSynced, sliceReg.HasSynced}

	mesh.OnConfigChange(func(service string) {
		c.broker.GetQueue().AddRateLimited(service)
	})
	return c, nil
}

func (c *MeshController) onServiceAdd(obj interface{}) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.enqueueKey(key)
}

func (c *MeshController) onServiceUpdate(oldObj, newObj interface{}) {
	if oldObj.(*corev1.Service).ResourceVersion == newObj.(*corev1.Service).ResourceVersion {
		return
	}
	c.onServiceAdd(newObj)
}

func (c *MeshController) onServiceDelete(obj interface{}) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.enqueueKey(key)
}

func (c *MeshController) enqueueKey(key string) {
	c.broker.GetQueue().AddRateLimited(key)
}

func (c *MeshController) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer c.broker.GetQueue().ShutDown()
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, func(ctx context.Context) {
			for c.processNextWorkItem(ctx) {
			}
		}, time.Second)
	}
	<-ctx.Done()
}

func (c *MeshController) processNextWorkItem(ctx context.Context) bool {
	key, quit := c.broker.GetQueue().Get()
	if quit {
		return false
	}
	defer c.broker.GetQueue().Done(key)

	err := c.push(ctx, key.(string))
	c.handleErr(ctx, err, key)
	return true
}

func (c *MeshController) handleErr(ctx context.Context, err error, key any) {
	if err == nil {
		return
	}
	if c.broker.GetQueue().NumRequeues(key) < maxRetries {
		klog.FromContext(ctx).Info("Error pushing service, retrying", "queue", c.broker.GetQueue().Name(), "key", key, "err", err)
		c.broker.GetQueue().AddRateLimited(key)
		return
	}
	c.broker.GetQueue().Forget(key)
	utilruntime.HandleError(err)
}

func (c *MeshController) push(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	if _, err := c.services.Services(ns).Get(name); apierrors.IsNotFound(err) {
		return c.mesh.Push(ctx, key, 0)
	} else if err != nil {
		return err
	}
	sel := labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: name})
	slices, err := c.slices.EndpointSlices(ns).List(sel)
	if err != nil {
		return err
	}
	n := 0
	for _, s := range slices {
		n += len(s.Endpoints)
	}
	return c.mesh.Push(ctx, key, n)
}
