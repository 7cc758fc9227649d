// Package clientgo pins k8s.io/client-go v0.30.14 for the typedapi tests,
// which load its util/workqueue package.
package clientgo

import _ "k8s.io/client-go/util/workqueue"
