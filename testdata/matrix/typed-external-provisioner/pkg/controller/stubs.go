package controller

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// From controller.go (55469cc); the migration changed only its
// rateLimiter field there (workqueue.RateLimiter -> TypedRateLimiter[any]).
const (
	pvcKind           = "PersistentVolumeClaim" // Native types don't require an API group
	pvcCloneFinalizer = "provisioner.storage.kubernetes.io/cloning-protection"
)

func checkFinalizer(obj metav1.Object, finalizer string) bool {
	return slices.Contains(obj.GetFinalizers(), finalizer)
}
