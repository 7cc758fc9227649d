// Command platform-operator runs the tenant, mesh, CA injection and restart
// watch controllers.
package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	admissionv1client "k8s.io/client-go/kubernetes/typed/admissionregistration/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	discoveryv1client "k8s.io/client-go/kubernetes/typed/discovery/v1"
	rbacv1client "k8s.io/client-go/kubernetes/typed/rbac/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.37/pkg/controller"
	"example.com/clientgo-v0.37/pkg/workq"
)

// newInformer watches one resource in all namespaces.
func newInformer(c cache.Getter, resource string, obj runtime.Object) cache.SharedIndexInformer {
	lw := cache.NewListWatchFromClient(c, resource, metav1.NamespaceAll, fields.Everything())
	return cache.NewSharedIndexInformer(lw, obj, 30*time.Minute, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
}

func main() {
	klog.InitFlags(nil)
	systemNamespace := flag.String("system-namespace", "platform-system", "namespace of the operator's own objects")
	flag.Parse()

	cfg, err := rest.InClusterConfig()
	if err != nil {
		klog.Fatal(err)
	}
	core := corev1client.NewForConfigOrDie(cfg)
	rbac := rbacv1client.NewForConfigOrDie(cfg)
	discovery := discoveryv1client.NewForConfigOrDie(cfg)
	admission := admissionv1client.NewForConfigOrDie(cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	namespaces := cache.NewTypedSharedIndexInformer[*corev1.Namespace](newInformer(core.RESTClient(), "namespaces", &corev1.Namespace{}))
	configMaps := newInformer(core.RESTClient(), "configmaps", &corev1.ConfigMap{})
	services := newInformer(core.RESTClient(), "services", &corev1.Service{})
	secrets := newInformer(core.RESTClient(), "secrets", &corev1.Secret{})
	pods := newInformer(core.RESTClient(), "pods", &corev1.Pod{})
	roleBindings := newInformer(rbac.RESTClient(), "rolebindings", &rbacv1.RoleBinding{})
	slices := newInformer(discovery.RESTClient(), "endpointslices", &discoveryv1.EndpointSlice{})
	webhooks := newInformer(admission.RESTClient(), "mutatingwebhookconfigurations", &admissionregistrationv1.MutatingWebhookConfiguration{})

	tenants, err := controller.NewTenantController(rbac, namespaces, roleBindings, configMaps, *systemNamespace)
	if err != nil {
		klog.Fatal(err)
	}
	mesh, err := controller.NewMeshController(services, slices, workq.NewBroker("mesh"), controller.NoMesh{})
	if err != nil {
		klog.Fatal(err)
	}
	injector, err := controller.NewInjector(admission, secrets, webhooks)
	if err != nil {
		klog.Fatal(err)
	}
	restarts, err := controller.NewRestartWatcher(core, pods)
	if err != nil {
		klog.Fatal(err)
	}

	for _, inf := range []cache.SharedIndexInformer{namespaces, configMaps, services, secrets, pods, roleBindings, slices, webhooks} {
		go inf.RunWithContext(ctx)
	}
	go tenants.Run(ctx, 2)
	go mesh.Run(ctx, 2)
	go injector.Run(ctx, 1)
	restarts.Run(ctx, 1)
}
