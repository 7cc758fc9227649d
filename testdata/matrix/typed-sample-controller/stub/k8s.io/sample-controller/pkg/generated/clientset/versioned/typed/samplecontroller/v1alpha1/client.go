// Package v1alpha1 stubs the generated typed client.
package v1alpha1

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	v1alpha1 "k8s.io/sample-controller/pkg/apis/samplecontroller/v1alpha1"
)

type SamplecontrollerV1alpha1Interface interface {
	Foos(namespace string) FooInterface
}

type FooInterface interface {
	UpdateStatus(ctx context.Context, foo *v1alpha1.Foo, opts metav1.UpdateOptions) (*v1alpha1.Foo, error)
}
