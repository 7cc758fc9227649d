// Command external-dns-lite publishes DNS records for LoadBalancer services
// and ingresses.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	networkingv1client "k8s.io/client-go/kubernetes/typed/networking/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.26/pkg/dns"
)

// newInformer watches one resource in all namespaces.
func newInformer(c cache.Getter, resource string, obj runtime.Object) cache.SharedIndexInformer {
	lw := cache.NewListWatchFromClient(c, resource, metav1.NamespaceAll, fields.Everything())
	return cache.NewSharedIndexInformer(lw, obj, 30*time.Minute, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
}

func main() {
	cfg, err := rest.InClusterConfig()
	if err != nil {
		klog.Fatalf("loading in-cluster config: %v", err)
	}
	core := corev1client.NewForConfigOrDie(cfg)
	networking := networkingv1client.NewForConfigOrDie(cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	services := newInformer(core.RESTClient(), "services", &corev1.Service{})
	ingresses := newInformer(networking.RESTClient(), "ingresses", &networkingv1.Ingress{})
	endpoints := newInformer(core.RESTClient(), "endpoints", &corev1.Endpoints{})
	c, err := dns.NewController(services, ingresses, endpoints, dns.LogProvider{})
	if err != nil {
		klog.Fatal(err)
	}
	for _, inf := range []cache.SharedIndexInformer{services, ingresses, endpoints} {
		go inf.Run(ctx.Done())
	}
	c.Run(ctx, 2)
}
