module sigs.k8s.io/sig-storage-lib-external-provisioner/v11

go 1.22
