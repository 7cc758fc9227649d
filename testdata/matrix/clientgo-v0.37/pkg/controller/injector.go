package controller

import (
	"bytes"
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	admissionv1client "k8s.io/client-go/kubernetes/typed/admissionregistration/v1"
	admissionlisters "k8s.io/client-go/listers/admissionregistration/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// injectAnnotation names the Secret ("namespace/name") whose ca.crt goes
// into the caBundle of every webhook of the configuration.
const injectAnnotation = "platform.example.com/inject-ca-from"

type auditEntry struct {
	Secret string
	Event  string
}

// auditSink ships audit entries to the log pipeline. The pipeline only takes
// a few entries per second, so entries are buffered and dropped when full.
type auditSink struct {
	entries chan auditEntry
}

func (s *auditSink) AddRateLimited(e auditEntry) {
	select {
	case s.entries <- e:
	default:
		klog.Warning("Audit buffer full, dropping entry")
	}
}

func (s *auditSink) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-s.entries:
			klog.InfoS("audit", "secret", e.Secret, "event", e.Event)
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// caHandler queues the webhook configurations that take their CA from a secret.
type caHandler struct {
	queue    workqueue.TypedRateLimitingInterface[string]
	webhooks admissionlisters.MutatingWebhookConfigurationLister
	audit    *auditSink
}

func (h *caHandler) OnAdd(obj interface{}, isInInitialList bool) {
	secret := obj.(*corev1.Secret)
	src := secret.Namespace + "/" + secret.Name
	hooks, err := h.webhooks.List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	for _, wh := range hooks {
		if wh.Annotations[injectAnnotation] == src {
			h.queue.AddRateLimited(wh.Name)
		}
	}
	h.audit.AddRateLimited(auditEntry{Secret: src, Event: "ca-changed"})
}

func (h *caHandler) OnUpdate(oldObj, newObj interface{}) {
	if bytes.Equal(oldObj.(*corev1.Secret).Data["ca.crt"], newObj.(*corev1.Secret).Data["ca.crt"]) {
		return
	}
	h.OnAdd(newObj, false)
}

// OnDelete does nothing: webhooks keep the last bundle they were given.
func (h *caHandler) OnDelete(obj interface{}) {}

// Injector copies CA bundles into MutatingWebhookConfigurations.
type Injector struct {
	client   admissionv1client.MutatingWebhookConfigurationsGetter
	secrets  corelisters.SecretLister
	webhooks admissionlisters.MutatingWebhookConfigurationLister
	queue    workqueue.TypedRateLimitingInterface[string]
	audit    *auditSink
	synced   []cache.InformerSynced
}

func NewInjector(client admissionv1client.MutatingWebhookConfigurationsGetter, secrets, webhooks cache.SharedIndexInformer) (*Injector, error) {
	c := &Injector{
		client:   client,
		secrets:  corelisters.NewSecretLister(secrets.GetIndexer()),
		webhooks: admissionlisters.NewMutatingWebhookConfigurationLister(webhooks.GetIndexer()),
		queue:    workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		audit:    &auditSink{entries: make(chan auditEntry, 100)},
	}
	secretReg, err := secrets.AddEventHandler(cache.FilteringResourceEventHandler{
		FilterFunc: func(obj interface{}) bool {
			s, ok := obj.(*corev1.Secret)
			return ok && len(s.Data["ca.crt"]) > 0
		},
		Handler: &caHandler{queue: c.queue, webhooks: c.webhooks, audit: c.audit},
	})
	if err != nil {
		return nil, err
	}
	whReg, err := webhooks.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj interface{}) {
			c.queue.Add(obj.(metav1.Object).GetName())
		},
		UpdateFunc: func(_, cur interface{}) {
			c.queue.Add(cur.(metav1.Object).GetName())
		},
	})
	if err != nil {
		return nil, err
	}
	c.synced = []cache.InformerSynced{secretReg.HasSynced, whReg.HasSynced}
	return c, nil
}

func (c *Injector) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer c.queue.ShutDown()
	if !cache.WaitForCacheSync(ctx.Done(), c.synced...) {
		return
	}
	go c.audit.run(ctx)
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, func(ctx context.Context) {
			for c.processNextWorkItem(ctx) {
			}
		}, time.Second)
	}
	<-ctx.Done()
}

func (c *Injector) processNextWorkItem(ctx context.Context) bool {
	workqueue := c.queue
	name, quit := workqueue.Get()
	if quit {
		return false
	}
	defer workqueue.Done(name)

	if err := c.inject(ctx, name); err != nil {
		utilruntime.HandleErrorWithContext(ctx, err, "Injecting CA bundle", "webhook", name)
		workqueue.AddRateLimited(name)
		return true
	}
	return true
}

func (c *Injector) inject(ctx context.Context, name string) error {
	wh, err := c.webhooks.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	ns, secretName, err := cache.SplitMetaNamespaceKey(wh.Annotations[injectAnnotation])
	if err != nil || secretName == "" {
		return err
	}
	secret, err := c.secrets.Secrets(ns).Get(secretName)
	if err != nil {
		return err
	}
	ca := secret.Data["ca.crt"]
	wh = wh.DeepCopy()
	changed := false
	for i := range wh.Webhooks {
		if !bytes.Equal(wh.Webhooks[i].ClientConfig.CABundle, ca) {
			wh.Webhooks[i].ClientConfig.CABundle = ca
			changed = true
		}
	}
	if !changed {
		return nil
	}
	_, err = c.client.MutatingWebhookConfigurations().Update(ctx, wh, metav1.UpdateOptions{})
	return err
}