// Command csi-resizer is an excerpt of external-resizer's main.go: the
// call of NewModifyController, with the limiter as the authors wrote it.
package main

import (
	"flag"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/workqueue"

	"example.com/real/pkg/modifycontroller"
)

var (
	resyncPeriod        = flag.Duration("resync-period", time.Minute*10, "")
	retryIntervalStart  = flag.Duration("retry-interval-start", time.Second, "")
	retryIntervalMax    = flag.Duration("retry-interval-max", 5*time.Minute, "")
	extraModifyMetadata = flag.Bool("extra-modify-metadata", false, "")
)

func main() {
	var kubeClient kubernetes.Interface
	informerFactory := informers.NewSharedInformerFactory(kubeClient, *resyncPeriod)
	var mc modifycontroller.ModifyController
	mc = modifycontroller.NewModifyController("modifier", nil, kubeClient, *resyncPeriod, *extraModifyMetadata, informerFactory,
		workqueue.NewTypedItemExponentialFailureRateLimiter[string](*retryIntervalStart, *retryIntervalMax))
	_ = mc
}
