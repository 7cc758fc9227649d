// Package util keeps the one helper of external-resizer's pkg/util
// (3ea4ee4) that the modify controller calls, verbatim.
package util

import (
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

func GetObjectKey(obj interface{}) (string, error) {
	if unknown, ok := obj.(cache.DeletedFinalStateUnknown); ok && unknown.Obj != nil {
		obj = unknown.Obj
	}
	objKey, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err != nil {
		klog.ErrorS(err, "Failed to get key from object")
		return "", err
	}
	return objKey, nil
}
