package controller

import (
	"context"
	"fmt"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	rbacv1client "k8s.io/client-go/kubernetes/typed/rbac/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

const (
	tenantLabel       = "platform.example.com/tenant"
	managedLabel      = "platform.example.com/managed"
	defaultsConfigMap = "tenant-defaults"
	adminBinding      = "tenant-admins"
)

// TenantController gives every tenant namespace its default RoleBinding.
type TenantController struct {
	client          rbacv1client.RoleBindingsGetter
	namespaces      corelisters.NamespaceLister
	configMaps      corelisters.ConfigMapLister
	systemNamespace string
	queue           workqueue.TypedRateLimitingInterface[string]
	synced          []cache.InformerSynced

	// enqueueNamespace is a field so tests can see what the handlers queue.
	enqueueNamespace func(ns *corev1.Namespace)
}

func NewTenantController(client rbacv1client.RoleBindingsGetter, namespaces cache.TypedSharedIndexInformer[*corev1.Namespace], roleBindings, configMaps cache.SharedIndexInformer, systemNamespace string) (*TenantController, error) {
	c := &TenantController{
		client:          client,
		namespaces:      corelisters.NewNamespaceLister(namespaces.GetIndexer()),
		configMaps:      corelisters.NewConfigMapLister(configMaps.GetIndexer()),
		systemNamespace: systemNamespace,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "tenants"},
		),
	}
	c.enqueueNamespace = func(ns *corev1.Namespace) {
		if ns.Labels[tenantLabel] != "" {
			c.queue.AddRateLimited(ns.Name)
		}
	}

	nsReg, err := namespaces.AddTypedEventHandler(cache.TypedResourceEventHandlerFuncs[*corev1.Namespace]{
		AddFunc: c.enqueueNamespace,
		UpdateFunc: func(old, cur *corev1.Namespace) {
			if cur.Labels[tenantLabel] == "" || maps.Equal(old.Labels, cur.Labels) {
				return
			}
			c.enqueue(cur.Name)
		},
	})
	if err != nil {
		return nil, err
	}

	resync := 30 * time.Minute
	rbReg, err := roleBindings.AddEventHandlerWithOptions(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: c.onRoleBindingAdd,
		UpdateFunc: func(_, cur interface{}) {
			c.onRoleBindingAdd(cur, false)
		},
		DeleteFunc: func(obj interface{}) {
			key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
			if err != nil {
				utilruntime.HandleError(err)
				return
			}
			// A deleted default binding has to be put back.
			ns, _, _ := cache.SplitMetaNamespaceKey(key)
			c.queue.AddRateLimited(ns)
		},
	}, cache.HandlerOptions{ResyncPeriod: &resync})
	if err != nil {
		return nil, err
	}

	cmReg, err := configMaps.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, cur interface{}) {
			if cm := cur.(*corev1.ConfigMap); cm.Namespace == c.systemNamespace && cm.Name == defaultsConfigMap {
				c.resyncTenants()
			}
		},
	})
	if err != nil {
		return nil, err
	}
	c.synced = []cache.InformerSynced{nsReg.HasSynced, rbReg.HasSynced, cmReg.HasSynced}
	return c, nil
}

func (c *TenantController) enqueue(name string) {
	c.queue.AddRateLimited(name)
}

func (c *TenantController) onRoleBindingAdd(obj interface{}, isInInitialList bool) {
	rb, ok := obj.(*rbacv1.RoleBinding)
	if !ok || rb.Labels[managedLabel] != "true" {
		return
	}
	// c.queue.AddRateLimited(rb.Namespace)
	c.enqueue(rb.Namespace)
}

// resyncTenants queues every tenant namespace, on a timer and whenever the
// defaults change. It goes through the limiter on purpose: a few thousand
// namespaces at once would starve the event-driven syncs.
func (c *TenantController) resyncTenants() {
	all, err := c.namespaces.List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	for _, ns := range all {
		if ns.Labels[tenantLabel] != "" {
			c.queue.AddRateLimited(ns.Name)
		}
	}
}

func (c *TenantController) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()
	logger := klog.FromContext(ctx)

	logger.Info("Starting tenant controller")
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, c.runWorker, time.Second)
	}
	go wait.Until(c.resyncTenants, time.Hour, ctx.Done())
	<-ctx.Done()
	logger.Info("Shutting down tenant controller")
}

func (c *TenantController) runWorker(ctx context.Context) {
	for c.processNextWorkItem(ctx) {
	}
}

func (c *TenantController) processNextWorkItem(ctx context.Context) bool {
	key, shutdown := c.queue.Get()
	if shutdown {
		return false
	}

	// We wrap this block in a func so we can defer c.queue.Done.
	err := func(key string) error {
		defer c.queue.Done(key)
		if err := c.sync(ctx, key); err != nil {
			c.queue.AddRateLimited(key)
			return fmt.Errorf("error syncing %q: %w, requeuing", key, err)
		}
		klog.FromContext(ctx).V(4).Info("Successfully synced", "namespace", key)
		return nil
	}(key)
	if err != nil {
		utilruntime.HandleError(err)
	}
	return true
}

func (c *TenantController) sync(ctx context.Context, name string) error {
	ns, err := c.namespaces.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defaults, err := c.configMaps.ConfigMaps(c.systemNamespace).Get(defaultsConfigMap)
	if err != nil {
		return err
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: adminBinding, Namespace: ns.Name, Labels: map[string]string{managedLabel: "true"}},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: defaults.Data["adminRole"]},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: ns.Labels[tenantLabel] + "-admins"}},
	}
	_, err = c.client.RoleBindings(ns.Name).Create(ctx, rb, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = c.client.RoleBindings(ns.Name).Update(ctx, rb, metav1.UpdateOptions{})
	}
	return err
}
