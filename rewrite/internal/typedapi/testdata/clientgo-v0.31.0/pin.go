// Package clientgo pins k8s.io/client-go v0.31.0 for the typedapi tests,
// which load its util/workqueue package.
package clientgo

import _ "k8s.io/client-go/util/workqueue"
