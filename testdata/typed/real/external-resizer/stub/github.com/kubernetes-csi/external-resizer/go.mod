module github.com/kubernetes-csi/external-resizer

go 1.22
