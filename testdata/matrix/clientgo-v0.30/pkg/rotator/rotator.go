// Package rotator asks for TLS secrets to be re-issued before they expire.
package rotator

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.30/pkg/informerutil"
)

const (
	expiresAnnotation = "rotator.example.com/expires"
	keyAnnotation     = "rotator.example.com/kms-key"
	policyAnnotation  = "rotator.example.com/policy"
	rotateAnnotation  = "rotator.example.com/rotate-requested"
	window            = 30 * 24 * time.Hour
)

// KeyService is the cloud KMS; it calls back when a key is rotated.
type KeyService interface {
	Subscribe(fn func(keyID string))
}

type Rotator struct {
	client  corev1client.SecretsGetter
	secrets corelisters.SecretLister
	queue   WorkQueue
	synced  []cache.InformerSynced
}

func New(client corev1client.SecretsGetter, secrets, policies cache.SharedIndexInformer, kms KeyService) (*Rotator, error) {
	r := &Rotator{
		client:  client,
		secrets: corelisters.NewSecretLister(secrets.GetIndexer()),
		queue:   newQueue("rotator"),
	}

	reg, err := secrets.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj interface{}, isInInitialList bool) {
			if s, ok := obj.(*corev1.Secret); ok && s.Type == corev1.SecretTypeTLS {
				r.enqueue(s)
			}
		},
		UpdateFunc: r.onSecretUpdate,
		DeleteFunc: func(obj interface{}) {
			// Nothing to rotate any more; drop the failure history.
			if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
				r.queue.Forget(key)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	policyReg, err := policies.AddEventHandler(informerutil.AddDelete(r.addPolicy, r.deletePolicy))
	if err != nil {
		return nil, err
	}
	r.synced = []cache.InformerSynced{reg.HasSynced, policyReg.HasSynced}

	kms.Subscribe(func(keyID string) {
		all, err := r.secrets.List(labels.Everything())
		if err != nil {
			utilruntime.HandleError(err)
			return
		}
		for _, s := range all {
			if s.Annotations[keyAnnotation] == keyID {
				r.queue.AddRateLimited(s.Namespace + "/" + s.Name)
			}
		}
	})
	return r, nil
}

func (r *Rotator) onSecretUpdate(oldObj, newObj interface{}) {
	old, cur := oldObj.(*corev1.Secret), newObj.(*corev1.Secret)
	if cur.Type != corev1.SecretTypeTLS || old.Annotations[expiresAnnotation] == cur.Annotations[expiresAnnotation] {
		return
	}
	// r.queue.AddRateLimited(cache.MetaObjectToName(cur).String())
	r.enqueue(cur)
}

func (r *Rotator) enqueue(s *corev1.Secret) {
	key, err := cache.MetaNamespaceKeyFunc(s)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	r.queue.AddRateLimited(key)
}

// addPolicy requeues the secrets that follow the policy named by the ConfigMap.
func (r *Rotator) addPolicy(obj interface{}, isInInitialList bool) {
	if isInInitialList {
		return // the secrets' own add events cover the initial list
	}
	cm := obj.(*corev1.ConfigMap)
	all, err := r.secrets.Secrets(cm.Namespace).List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	for _, s := range all {
		if s.Annotations[policyAnnotation] == cm.Name {
			r.enqueue(s)
		}
	}
}

// deletePolicy falls back to the default policy for everything.
func (r *Rotator) deletePolicy(obj interface{}) {
	r.requeueExpiring()
}

// requeueExpiring queues every TLS secret that expires inside the window.
func (r *Rotator) requeueExpiring() {
	all, err := r.secrets.List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	for _, s := range all {
		if expiresSoon(s) {
			r.queue.AddRateLimited(s.Namespace + "/" + s.Name)
		}
	}
}

func expiresSoon(s *corev1.Secret) bool {
	t, err := time.Parse(time.RFC3339, s.Annotations[expiresAnnotation])
	return err == nil && time.Until(t) < window
}

func (r *Rotator) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	defer r.queue.ShutDown()

	klog.InfoS("Starting", "queue", r.queue.Name())
	if !cache.WaitForCacheSync(ctx.Done(), r.synced...) {
		return
	}
	for i := 0; i < workers; i++ {
		go wait.UntilWithContext(ctx, r.runWorker, time.Second)
	}
	go wait.Until(r.requeueExpiring, time.Hour, ctx.Done())
	<-ctx.Done()
}

func (r *Rotator) runWorker(ctx context.Context) {
	for r.processNextWorkItem(ctx) {
	}
}

func (r *Rotator) processNextWorkItem(ctx context.Context) bool {
	obj, shutdown := r.queue.Get()
	if shutdown {
		return false
	}

	err := func(obj interface{}) error {
		defer r.queue.Done(obj)
		key, ok := obj.(string)
		if !ok {
			r.queue.Forget(obj)
			utilruntime.HandleError(fmt.Errorf("expected string in workqueue but got %#v", obj))
			return nil
		}
		if err := r.sync(ctx, key); err != nil {
			r.queue.AddRateLimited(key)
			return fmt.Errorf("error syncing %q: %w, requeuing", key, err)
		}
		klog.V(4).InfoS("Successfully synced", "key", key)
		return nil
	}(obj)
	if err != nil {
		utilruntime.HandleError(err)
	}
	return true
}

func (r *Rotator) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	s, err := r.secrets.Secrets(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !expiresSoon(s) || s.Annotations[rotateAnnotation] != "" {
		return nil
	}
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, rotateAnnotation, time.Now().UTC().Format(time.RFC3339))
	_, err = r.client.Secrets(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}
