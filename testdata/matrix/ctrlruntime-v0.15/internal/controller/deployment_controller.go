package controller

import (
	"context"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

const readyAnnotation = "rollout-guard.example.com/ready-pods"

// DeploymentReconciler keeps the ready-pods annotation of every Deployment current.
type DeploymentReconciler struct {
	client.Client

	nodes *nodeHandler
}

//+kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;patch
//+kubebuilder:rbac:groups="",resources=pods;nodes;configmaps,verbs=get;list;watch

func (r *DeploymentReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	logger := log.FromContext(ctx)

	var d appsv1.Deployment
	if err := r.Get(ctx, req.NamespacedName, &d); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if d.Spec.Selector == nil {
		return reconcile.Result{}, nil
	}
	var pods corev1.PodList
	if err := r.List(ctx, &pods, client.InNamespace(req.Namespace), client.MatchingLabels(d.Spec.Selector.MatchLabels)); err != nil {
		return reconcile.Result{}, err
	}
	ready, cordoned := 0, 0
	for i := range pods.Items {
		pod := &pods.Items[i]
		if podReady(pod) {
			ready++
		}
		var node corev1.Node
		if err := r.Get(ctx, client.ObjectKey{Name: pod.Spec.NodeName}, &node); err == nil && node.Spec.Unschedulable {
			cordoned++
		}
	}
	if d.Annotations[readyAnnotation] != strconv.Itoa(ready) {
		patch := client.MergeFrom(d.DeepCopy())
		if d.Annotations == nil {
			d.Annotations = map[string]string{}
		}
		d.Annotations[readyAnnotation] = strconv.Itoa(ready)
		if err := r.Patch(ctx, &d, patch); err != nil {
			return reconcile.Result{}, err
		}
	}
	if cordoned > 0 {
		// Pods on cordoned nodes are about to move; look again soon.
		logger.V(1).Info("Pods on cordoned nodes", "count", cordoned)
		return reconcile.Result{RequeueAfter: time.Minute}, nil
	}
	return reconcile.Result{}, nil
}

// Nodes returns the node event handler; its calendar watch runs beside the manager.
func (r *DeploymentReconciler) Nodes() *nodeHandler { return r.nodes }

func (r *DeploymentReconciler) SetupWithManager(mgr manager.Manager) error {
	r.nodes = &nodeHandler{client: mgr.GetClient()}
	return builder.ControllerManagedBy(mgr).
		For(&appsv1.Deployment{}).
		Watches(&corev1.Pod{}, &podToDeployment{}).
		Watches(&corev1.Node{}, r.nodes).
		Watches(&corev1.ConfigMap{}, r.configMapHandler()).
		Complete(r)
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
