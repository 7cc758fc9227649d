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

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.37/pkg/controller"
	"example.com/clientgo-v0.37/pkg/workq"
)

func main() {
	klog.InitFlags(nil)
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file; empty for in-cluster")
	systemNamespace := flag.String("system-namespace", "platform-system", "namespace of the operator's own objects")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		klog.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	factory := informers.NewSharedInformerFactory(client, 30*time.Minute)
	core := factory.Core().V1()

	tenants, err := controller.NewTenantController(client, core.Namespaces(), factory.Rbac().V1().RoleBindings(), core.ConfigMaps(), *systemNamespace)
	if err != nil {
		klog.Fatal(err)
	}
	mesh, err := controller.NewMeshController(core.Services(), factory.Discovery().V1().EndpointSlices(), workq.NewBroker("mesh"), controller.NoMesh{})
	if err != nil {
		klog.Fatal(err)
	}
	injector, err := controller.NewInjector(client, core.Secrets(), factory.Admissionregistration().V1().MutatingWebhookConfigurations())
	if err != nil {
		klog.Fatal(err)
	}
	restarts, err := controller.NewRestartWatcher(client, core.Pods())
	if err != nil {
		klog.Fatal(err)
	}

	factory.Start(ctx.Done())
	go tenants.Run(ctx, 2)
	go mesh.Run(ctx, 2)
	go injector.Run(ctx, 1)
	restarts.Run(ctx, 1)
}
