module github.com/kubernetes-csi/csi-lib-utils

go 1.22
