// Command cert-rotator re-issues TLS secrets before they expire and warns
// about namespaces that are running out of quota.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.30/pkg/quota"
	"example.com/clientgo-v0.30/pkg/rotator"
)

type noKMS struct{}

func (noKMS) Subscribe(func(keyID string)) {}

func main() {
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil)
	cfg, err := loader.ClientConfig()
	if err != nil {
		klog.Fatalf("loading kubeconfig: %v", err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	factory := informers.NewSharedInformerFactory(client, time.Hour)
	r, err := rotator.New(client, factory.Core().V1().Secrets(), factory.Core().V1().ConfigMaps(), noKMS{})
	if err != nil {
		klog.Fatal(err)
	}
	q, err := quota.NewWatcher(client, factory.Core().V1().ResourceQuotas())
	if err != nil {
		klog.Fatal(err)
	}
	factory.Start(ctx.Done())
	go q.Run(ctx, 1)
	r.Run(ctx, 2)
}
