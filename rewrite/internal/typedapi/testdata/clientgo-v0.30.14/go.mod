module example.com/clientgo

go 1.22.0

require k8s.io/client-go v0.30.14

require (
	github.com/go-logr/logr v1.4.1 // indirect
	golang.org/x/time v0.3.0 // indirect
	k8s.io/apimachinery v0.30.14 // indirect
	k8s.io/klog/v2 v2.120.1 // indirect
	k8s.io/utils v0.0.0-20230726121419-3b25d923346b // indirect
)
