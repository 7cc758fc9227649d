// Package v1alpha1 stubs the sample-controller API types the controller uses.
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var SchemeGroupVersion = schema.GroupVersion{Group: "samplecontroller.k8s.io", Version: "v1alpha1"}

type Foo struct {
	metav1.TypeMeta
	metav1.ObjectMeta
	Spec   FooSpec
	Status FooStatus
}

type FooSpec struct {
	DeploymentName string
	Replicas       *int32
}

type FooStatus struct {
	AvailableReplicas int32
}

func (f *Foo) DeepCopy() *Foo {
	out := *f
	return &out
}

func (f *Foo) DeepCopyObject() runtime.Object { return f.DeepCopy() }
