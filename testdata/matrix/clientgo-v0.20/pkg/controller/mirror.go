package controller

import (
	"context"
	"fmt"
	"reflect"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

const (
	mirrorLabel  = "mirror.example.com/enabled"
	resyncPeriod = 5 * time.Minute
)

var mirrorSelector = labels.SelectorFromSet(labels.Set{mirrorLabel: "true"})

// MirrorController copies every Secret labelled mirror.example.com/enabled=true
// into all other namespaces.
type MirrorController struct {
	client corev1client.CoreV1Interface
	secrets corelisters.SecretLister
	namespaces corelisters.NamespaceLister
	queue workqueue.RateLimitingInterface
	synced []cache.InformerSynced
}

func NewMirrorController(client corev1client.CoreV1Interface, secrets, namespaces cache.SharedIndexInformer) *MirrorController {
	c := &MirrorController{
		client:     client,
		secrets:    corelisters.NewSecretLister(secrets.GetIndexer()),
		namespaces: corelisters.NewNamespaceLister(namespaces.GetIndexer()),
		queue:      workqueue.NewNamedRateLimitingQueue(workqueue.DefaultControllerRateLimiter(), "secret-mirror"),
		synced:     []cache.InformerSynced{secrets.HasSynced, namespaces.HasSynced},
	}

	secrets.AddEventHandler(cache.FilteringResourceEventHandler{
		FilterFunc: isMirrorSource,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj interface{}) {
				c.enqueue(obj)
			},
			UpdateFunc: func(oldObj, newObj interface{}) {
				if oldObj.(*corev1.Secret).ResourceVersion == newObj.(*corev1.Secret).ResourceVersion {
					return
				}
				c.enqueue(newObj)
			},
			DeleteFunc: func(obj interface{}) {
				key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
				if err != nil {
					utilruntime.HandleError(err)
					return
				}
				c.queue.AddRateLimited(key)
			},
		},
	})
	namespaces.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: c.onNamespaceAdd,
		UpdateFunc: func(oldObj, newObj interface{}) {
			// Label changes can move a namespace in or out of a mirror's selector.
			if reflect.DeepEqual(oldObj.(*corev1.Namespace).Labels, newObj.(*corev1.Namespace).Labels) {
				return
			}
			c.requeueAll()
		},
	})
	return c
}

func isMirrorSource(obj interface{}) bool {
	s, ok := obj.(*corev1.Secret)
	return ok && s.Labels[mirrorLabel] == "true"
}

func (c *MirrorController) enqueue(obj interface{}) {
	key, err := cache.MetaNamespaceKeyFunc(obj)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.queue.AddRateLimited(key)
}

// onNamespaceAdd queues every mirrored secret so the new namespace gets its copies.
func (c *MirrorController) onNamespaceAdd(obj interface{}) {
	sources, err := c.secrets.List(mirrorSelector)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	for _, s := range sources {
		// c.queue.AddRateLimited(s.Namespace + "/" + s.Name)
		c.enqueue(s)
	}
}

// requeueAll queues every mirrored secret. It runs when namespace labels
// change and every resyncPeriod to repair copies that were edited by hand;
// going through the rate limiter keeps a full resync of a big cluster from
// starving the workers.
func (c *MirrorController) requeueAll() {
	sources, err := c.secrets.List(mirrorSelector)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	for _, s := range sources {
		key, err := cache.MetaNamespaceKeyFunc(s)
		if err != nil {
			utilruntime.HandleError(err)
			continue
		}
		c.queue.AddRateLimited(key)
	}
}

func (c *MirrorController) Run(workers int, stopCh <-chan struct{}) {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()

	klog.Info("Starting secret mirror")
	if ok := cache.WaitForCacheSync(stopCh, c.synced...); !ok {
		klog.Error("failed to wait for caches to sync")
		return
	}
	for i := 0; i < workers; i++ {
		go wait.Until(c.runWorker, time.Second, stopCh)
	}
	go wait.Until(c.requeueAll, resyncPeriod, stopCh)
	<-stopCh
	klog.Info("Shutting down secret mirror")
}

func (c *MirrorController) runWorker() {
	for c.processNextWorkItem() {
	}
}

func (c *MirrorController) processNextWorkItem() bool {
	obj, shutdown := c.queue.Get()
	if shutdown {
		return false
	}

	// We wrap this block in a func so we can defer c.queue.Done.
	err := func(obj interface{}) error {
		defer c.queue.Done(obj)
		var key string
		var ok bool
		if key, ok = obj.(string); !ok {
			// As the item in the workqueue is actually invalid, we call
			// Forget here else we'd go into a loop of attempting to
			// process a work item that is invalid.
			c.queue.Forget(obj)
			utilruntime.HandleError(fmt.Errorf("expected string in workqueue but got %#v", obj))
			return nil
		}
		if err := c.sync(key); err != nil {
			c.queue.AddRateLimited(key)
			return fmt.Errorf("error syncing '%s': %s, requeuing", key, err.Error())
		}
		klog.V(4).Infof("Successfully synced '%s'", key)
		return nil
	}(obj)

	if err != nil {
		utilruntime.HandleError(err)
	}
	return true
}

func (c *MirrorController) sync(key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	src, err := c.secrets.Secrets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		// Copies are left in place; deleting them is an explicit decision.
		return nil
	}
	if err != nil {
		return err
	}
	targets, err := c.namespaces.List(labels.Everything())
	if err != nil {
		return err
	}
	terminating := 0
	for _, t := range targets {
		if t.Name == ns {
			continue
		}
		if t.Status.Phase == corev1.NamespaceTerminating {
			terminating++
			continue
		}
		if err := c.copyInto(src, t.Name); err != nil {
			return err
		}
	}
	if terminating > 0 {
		// Nothing can be created in a terminating namespace; look again once it is gone.
		c.queue.AddAfter(key, 30*time.Second)
	}
	return nil
}

func (c *MirrorController) copyInto(src *corev1.Secret, ns string) error {
	cp := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: src.Name, Namespace: ns, Annotations: map[string]string{"mirror.example.com/source": src.Namespace}},
		Type:       src.Type,
		Data:       src.Data,
	}
	cur, err := c.secrets.Secrets(ns).Get(src.Name)
	switch {
	case apierrors.IsNotFound(err):
		_, err = c.client.Secrets(ns).Create(context.TODO(), cp, metav1.CreateOptions{})
		return err
	case err != nil:
		return err
	case reflect.DeepEqual(cur.Data, src.Data):
		return nil
	}
	cp.ResourceVersion = cur.ResourceVersion
	_, err = c.client.Secrets(ns).Update(context.TODO(), cp, metav1.UpdateOptions{})
	return err
}
