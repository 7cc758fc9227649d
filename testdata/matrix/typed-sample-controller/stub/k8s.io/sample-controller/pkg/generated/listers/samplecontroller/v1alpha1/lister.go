// Package v1alpha1 stubs the generated lister.
package v1alpha1

import v1alpha1 "k8s.io/sample-controller/pkg/apis/samplecontroller/v1alpha1"

type FooLister interface {
	Foos(namespace string) FooNamespaceLister
}

type FooNamespaceLister interface {
	Get(name string) (*v1alpha1.Foo, error)
}
