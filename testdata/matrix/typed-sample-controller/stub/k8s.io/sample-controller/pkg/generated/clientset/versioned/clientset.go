// Package versioned stubs the generated clientset.
package versioned

import v1alpha1 "k8s.io/sample-controller/pkg/generated/clientset/versioned/typed/samplecontroller/v1alpha1"

type Interface interface {
	SamplecontrollerV1alpha1() v1alpha1.SamplecontrollerV1alpha1Interface
}
