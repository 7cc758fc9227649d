// Command external-dns-lite publishes DNS records for LoadBalancer services
// and ingresses.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.26/pkg/dns"
)

func main() {
	cfg, err := rest.InClusterConfig()
	if err != nil {
		klog.Fatalf("loading in-cluster config: %v", err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	factory := informers.NewSharedInformerFactory(client, 30*time.Minute)
	c, err := dns.NewController(
		factory.Core().V1().Services(),
		factory.Networking().V1().Ingresses(),
		factory.Core().V1().Endpoints(),
		dns.LogProvider{},
	)
	if err != nil {
		klog.Fatal(err)
	}
	factory.Start(ctx.Done())
	c.Run(ctx, 2)
}
