module github.com/container-storage-interface/spec

go 1.22
