// Command cert-rotator re-issues TLS secrets before they expire and warns
// about namespaces that are running out of quota.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.30/pkg/quota"
	"example.com/clientgo-v0.30/pkg/rotator"
)

type noKMS struct{}

func (noKMS) Subscribe(func(keyID string)) {}

// newInformer watches one core/v1 resource in all namespaces.
func newInformer(client corev1client.CoreV1Interface, resource string, obj runtime.Object) cache.SharedIndexInformer {
	lw := cache.NewListWatchFromClient(client.RESTClient(), resource, metav1.NamespaceAll, fields.Everything())
	return cache.NewSharedIndexInformer(lw, obj, time.Hour, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
}

func main() {
	cfg, err := rest.InClusterConfig()
	if err != nil {
		klog.Fatalf("loading in-cluster config: %v", err)
	}
	client := corev1client.NewForConfigOrDie(cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	secrets := newInformer(client, "secrets", &corev1.Secret{})
	configMaps := newInformer(client, "configmaps", &corev1.ConfigMap{})
	quotas := newInformer(client, "resourcequotas", &corev1.ResourceQuota{})
	r, err := rotator.New(client, secrets, configMaps, noKMS{})
	if err != nil {
		klog.Fatal(err)
	}
	q, err := quota.NewWatcher(client, quotas)
	if err != nil {
		klog.Fatal(err)
	}
	for _, inf := range []cache.SharedIndexInformer{secrets, configMaps, quotas} {
		go inf.Run(ctx.Done())
	}
	go q.Run(ctx, 1)
	r.Run(ctx, 2)
}
