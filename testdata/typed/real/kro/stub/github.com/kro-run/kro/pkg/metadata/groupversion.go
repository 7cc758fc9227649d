// Package metadata stubs the one kro metadata helper the dynamic
// controller calls.
package metadata

import (
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GVKtoGVR stands in for kro's pluralising GVKtoGVR.
func GVKtoGVR(gvk schema.GroupVersionKind) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: strings.ToLower(gvk.Kind) + "s"}
}
