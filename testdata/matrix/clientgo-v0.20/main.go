// Command secret-ops runs the secret mirror, the config reloader, the node
// labeler and the warning recorder against one cluster.
package main

import (
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.20/pkg/controller"
	"example.com/clientgo-v0.20/pkg/workq"
)

func main() {
	klog.InitFlags(nil)
	kubeconfig := flag.String("kubeconfig", "", "path to a kubeconfig; empty for in-cluster config")
	workers := flag.Int("workers", 2, "workers per controller")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		klog.Fatalf("Error building kubeconfig: %s", err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)

	stopCh := make(chan struct{})
	sigCh := make(chan os.Signal, 1)
	signal.Notify(sigCh, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigCh
		close(stopCh)
	}()

	factory := informers.NewSharedInformerFactory(client, 10*time.Minute)
	core := factory.Core().V1()

	mirror := controller.NewMirrorController(client, core.Secrets(), core.Namespaces())
	reloader := controller.NewReloaderController(client, factory.Apps().V1().Deployments(), core.ConfigMaps(), workq.NewBroker("reloader"))
	nodes := controller.NewNodeController(client, core.Nodes(), controller.StaticRacks{})
	warnings := controller.NewEventController(client, core.Events(), core.Pods())

	factory.Start(stopCh)
	go mirror.Run(*workers, stopCh)
	go reloader.Run(*workers, stopCh)
	go nodes.Run(*workers, stopCh)
	go warnings.Run(*workers, stopCh)
	<-stopCh
}
