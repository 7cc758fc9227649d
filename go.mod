module github.com/queuefix/queuefix

go 1.26.8

require (
	github.com/dave/dst v0.28.0 // indirect
	github.com/sergi/go-diff v1.4.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)
