// Command secret-ops runs the secret mirror, the config reloader, the node
// labeler and the warning recorder against one cluster.
package main

import (
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.20/pkg/controller"
	"example.com/clientgo-v0.20/pkg/workq"
)

const resync = 10 * time.Minute

// newInformer watches one resource in all namespaces.
func newInformer(c cache.Getter, resource string, obj runtime.Object) cache.SharedIndexInformer {
	lw := cache.NewListWatchFromClient(c, resource, metav1.NamespaceAll, fields.Everything())
	return cache.NewSharedIndexInformer(lw, obj, resync, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
}

func main() {
	klog.InitFlags(nil)
	workers := flag.Int("workers", 2, "workers per controller")
	flag.Parse()

	cfg, err := rest.InClusterConfig()
	if err != nil {
		klog.Fatalf("Error building in-cluster config: %s", err)
	}
	core := corev1client.NewForConfigOrDie(cfg)
	apps := appsv1client.NewForConfigOrDie(cfg)

	stopCh := make(chan struct{})
	sigCh := make(chan os.Signal, 1)
	signal.Notify(sigCh, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigCh
		close(stopCh)
	}()

	secrets := newInformer(core.RESTClient(), "secrets", &corev1.Secret{})
	namespaces := newInformer(core.RESTClient(), "namespaces", &corev1.Namespace{})
	configMaps := newInformer(core.RESTClient(), "configmaps", &corev1.ConfigMap{})
	nodeInformer := newInformer(core.RESTClient(), "nodes", &corev1.Node{})
	events := newInformer(core.RESTClient(), "events", &corev1.Event{})
	pods := newInformer(core.RESTClient(), "pods", &corev1.Pod{})
	deployments := newInformer(apps.RESTClient(), "deployments", &appsv1.Deployment{})

	mirror := controller.NewMirrorController(core, secrets, namespaces)
	reloader := controller.NewReloaderController(apps, deployments, configMaps, workq.NewBroker("reloader"))
	nodes := controller.NewNodeController(core, nodeInformer, controller.StaticRacks{})
	warnings := controller.NewEventController(core, events, pods)

	for _, inf := range []cache.SharedIndexInformer{secrets, namespaces, configMaps, nodeInformer, events, pods, deployments} {
		go inf.Run(stopCh)
	}
	go mirror.Run(*workers, stopCh)
	go reloader.Run(*workers, stopCh)
	go nodes.Run(*workers, stopCh)
	go warnings.Run(*workers, stopCh)
	<-stopCh
}
