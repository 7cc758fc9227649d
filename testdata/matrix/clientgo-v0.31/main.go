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

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	batchv1client "k8s.io/client-go/kubernetes/typed/batch/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"example.com/clientgo-v0.31/pkg/drain"
	"example.com/clientgo-v0.31/pkg/janitor"
)

func main() {
	ttl := flag.Duration("job-ttl", 24*time.Hour, "how long finished jobs are kept")
	flag.Parse()

	cfg, err := rest.InClusterConfig()
	if err != nil {
		klog.Fatal(err)
	}
	core := corev1client.NewForConfigOrDie(cfg)
	batch := batchv1client.NewForConfigOrDie(cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	indexers := cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}
	nodes := cache.NewSharedIndexInformer(cache.NewListWatchFromClient(core.RESTClient(), "nodes", metav1.NamespaceAll, fields.Everything()), &corev1.Node{}, 0, indexers)
	pods := cache.NewSharedIndexInformer(cache.NewListWatchFromClient(core.RESTClient(), "pods", metav1.NamespaceAll, fields.Everything()), &corev1.Pod{}, 0, indexers)
	d, err := drain.NewDrainer(core, nodes, pods)
	if err != nil {
		klog.Fatal(err)
	}
	j := janitor.New(batch, core, metav1.NamespaceAll, *ttl)

	go nodes.Run(ctx.Done())
	go pods.Run(ctx.Done())
	go j.Run(ctx, 2)
	d.Run(ctx, 1)
}
