module github.com/kro-run/kro

go 1.22
