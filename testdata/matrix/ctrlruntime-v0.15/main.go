// Command rollout-guard annotates Deployments with their ready pod count and
// keeps an eye on Deployments whose pods sit on nodes in maintenance.
package main

import (
	"context"
	"os"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/manager/signals"

	"example.com/ctrlruntime-v0.15/internal/controller"
)

func main() {
	logf.SetLogger(klog.NewKlogr())
	log := logf.Log.WithName("setup")

	cfg, err := rest.InClusterConfig()
	if err != nil {
		log.Error(err, "unable to load in-cluster config")
		os.Exit(1)
	}
	mgr, err := manager.New(cfg, manager.Options{})
	if err != nil {
		log.Error(err, "unable to create manager")
		os.Exit(1)
	}
	ctx := signals.SetupSignalHandler()

	if err := mgr.GetFieldIndexer().IndexField(ctx, &corev1.Pod{}, controller.NodeNameField, func(o client.Object) []string {
		return []string{o.(*corev1.Pod).Spec.NodeName}
	}); err != nil {
		log.Error(err, "unable to index pods")
		os.Exit(1)
	}

	r := &controller.DeploymentReconciler{Client: mgr.GetClient()}
	if err := r.SetupWithManager(mgr); err != nil {
		log.Error(err, "unable to create controller")
		os.Exit(1)
	}
	windows := make(chan string) // fed by the maintenance calendar integration
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		return r.Nodes().WatchCalendar(ctx, windows)
	})); err != nil {
		log.Error(err, "unable to add calendar watch")
		os.Exit(1)
	}
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "problem running manager")
		os.Exit(1)
	}
}
