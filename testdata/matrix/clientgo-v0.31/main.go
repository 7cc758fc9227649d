// Command node-janitor deletes finished Jobs after a TTL and drains nodes
// that carry the drain annotation.
package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.31/pkg/drain"
	"example.com/clientgo-v0.31/pkg/janitor"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file; empty for in-cluster")
	ttl := flag.Duration("job-ttl", 24*time.Hour, "how long finished jobs are kept")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		klog.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	factory := informers.NewSharedInformerFactory(client, 0)
	d, err := drain.NewDrainer(client, factory.Core().V1().Nodes(), factory.Core().V1().Pods())
	if err != nil {
		klog.Fatal(err)
	}
	j := janitor.New(client, metav1.NamespaceAll, *ttl)

	factory.Start(ctx.Done())
	go j.Run(ctx, 2)
	d.Run(ctx, 1)
}
