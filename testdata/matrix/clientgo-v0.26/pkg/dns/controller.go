// Package dns keeps DNS records in line with LoadBalancer services and ingresses.
package dns

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	corelisters "k8s.io/client-go/listers/core/v1"
	networkinglisters "k8s.io/client-go/listers/networking/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.26/pkg/enqueue"
)

const (
	hostnameAnnotation = "dns.example.com/hostname"
	maxRetries         = 8
)

type Controller struct {
	services  corelisters.ServiceLister
	ingresses networkinglisters.IngressLister
	provider  Provider
	queue     workqueue.RateLimitingInterface
	deletions *deletionBatcher
	synced    []cache.InformerSynced
}

func NewController(services, ingresses, endpoints cache.SharedIndexInformer, provider Provider) (*Controller, error) {
	c := &Controller{
		services:  corelisters.NewServiceLister(services.GetIndexer()),
		ingresses: networkinglisters.NewIngressLister(ingresses.GetIndexer()),
		provider:  provider,
		queue:     workqueue.NewNamedRateLimitingQueue(workqueue.DefaultControllerRateLimiter(), "dns"),
		deletions: newDeletionBatcher(2),
		synced: []cache.InformerSynced{
			services.HasSynced,
			ingresses.HasSynced,
			endpoints.HasSynced,
		},
	}

	_, err := services.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			c.enqueueService(obj)
		},
		UpdateFunc: func(oldObj, newObj interface{}) {
			old, cur := oldObj.(*corev1.Service), newObj.(*corev1.Service)
			if reflect.DeepEqual(old.Status.LoadBalancer, cur.Status.LoadBalancer) &&
				old.Annotations[hostnameAnnotation] == cur.Annotations[hostnameAnnotation] {
				return
			}
			c.enqueueService(cur)
		},
		DeleteFunc: func(obj interface{}) {
			key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
			if err != nil {
				utilruntime.HandleError(err)
				return
			}
			c.queue.AddRateLimited("service/" + key)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("adding service handler: %w", err)
	}

	_, err = ingresses.AddEventHandlerWithResyncPeriod(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue.WithPrefix(c.queue, "ingress"),
		UpdateFunc: func(oldObj, newObj interface{}) {
			if oldObj.(*networkingv1.Ingress).Generation == newObj.(*networkingv1.Ingress).Generation {
				return
			}
			key, err := cache.MetaNamespaceKeyFunc(newObj)
			if err != nil {
				utilruntime.HandleError(err)
				return
			}
			c.queue.Add("ingress/" + key)
		},
		DeleteFunc: func(obj interface{}) {
			ing, ok := obj.(*networkingv1.Ingress)
			if !ok {
				tombstone, ok := obj.(cache.DeletedFinalStateUnknown)
				if !ok {
					return
				}
				if ing, ok = tombstone.Obj.(*networkingv1.Ingress); !ok {
					return
				}
			}
			for _, rule := range ing.Spec.Rules {
				c.deletions.AddRateLimited(rule.Host)
			}
		},
	}, 10*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("adding ingress handler: %w", err)
	}

	if _, err := endpoints.AddEventHandler(&endpointsHandler{queue: c.queue, services: c.services}); err != nil {
		return nil, fmt.Errorf("adding endpoints handler: %w", err)
	}
	return c, nil
}

func (c *Controller) enqueueService(obj interface{}) {
	svc := obj.(*corev1.Service)
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer && svc.Spec.ClusterIP != corev1.ClusterIPNone {
		return
	}
	key, err := cache.MetaNamespaceKeyFunc(svc)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	c.queue.AddRateLimited("service/" + key)
}

func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()

	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		return
	}
	go c.deletions.run(ctx, c.provider)
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, c.worker, time.Second)
	}
	<-ctx.Done()
}

func (c *Controller) worker(ctx context.Context) {
	for c.processNextItem(ctx) {
	}
}

func (c *Controller) processNextItem(ctx context.Context) bool {
	workqueue := c.queue
	key, quit := workqueue.Get()
	if quit {
		return false
	}
	defer workqueue.Done(key)

	err := c.sync(ctx, key.(string))
	if err == nil {
		return true
	}
	if workqueue.NumRequeues(key) < maxRetries {
		klog.V(2).Infof("Retrying %v: %v", key, err)
		workqueue.AddRateLimited(key)
		return true
	}
	workqueue.Forget(key)
	utilruntime.HandleError(fmt.Errorf("giving up on %v: %w", key, err))
	return true
}

func (c *Controller) sync(ctx context.Context, key string) error {
	kind, nsName, _ := strings.Cut(key, "/")
	ns, name, err := cache.SplitMetaNamespaceKey(nsName)
	if err != nil {
		return err
	}
	switch kind {
	case "service":
		svc, err := c.services.Services(ns).Get(name)
		if apierrors.IsNotFound(err) {
			return c.provider.Delete(ctx, name+"."+ns)
		}
		if err != nil {
			return err
		}
		host := svc.Annotations[hostnameAnnotation]
		if host == "" {
			host = name + "." + ns
		}
		return c.provider.Ensure(ctx, host, ingressTargets(svc.Status.LoadBalancer.Ingress))
	case "ingress":
		ing, err := c.ingresses.Ingresses(ns).Get(name)
		if apierrors.IsNotFound(err) {
			return nil // the delete handler already queued its hosts
		}
		if err != nil {
			return err
		}
		var targets []string
		for _, lb := range ing.Status.LoadBalancer.Ingress {
			targets = append(targets, lb.IP+lb.Hostname)
		}
		for _, rule := range ing.Spec.Rules {
			if err := c.provider.Ensure(ctx, rule.Host, targets); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown key %q", key)
}

func ingressTargets(lbs []corev1.LoadBalancerIngress) []string {
	var out []string
	for _, lb := range lbs {
		out = append(out, lb.IP+lb.Hostname)
	}
	return out
}
