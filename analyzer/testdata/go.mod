module example.com/analyzertest

go 1.22

require (
	k8s.io/apimachinery v0.0.0
	k8s.io/client-go v0.0.0
)

replace (
	k8s.io/apimachinery => ../../testdata/stubs/apimachinery
	k8s.io/client-go => ../../testdata/stubs/client-go
)
