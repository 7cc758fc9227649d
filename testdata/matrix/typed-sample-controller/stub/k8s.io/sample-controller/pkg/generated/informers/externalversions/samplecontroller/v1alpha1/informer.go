// Package v1alpha1 stubs the generated informer.
package v1alpha1

import (
	"k8s.io/client-go/tools/cache"
	listers "k8s.io/sample-controller/pkg/generated/listers/samplecontroller/v1alpha1"
)

type FooInformer interface {
	Informer() cache.SharedIndexInformer
	Lister() listers.FooLister
}
