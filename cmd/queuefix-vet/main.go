// Command queuefix-vet runs queuefix's analyzers under the go command:
//
//	go vet -vettool=$(command -v queuefix-vet) ./...
//	go fix -fixtool=$(command -v queuefix-vet) ./...   # Go 1.26: applies the fixes
//
// It checks one package at a time (see package analyzer for what that
// cannot see); the queuefix command analyses a whole module at once.
package main

import (
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/queuefix/queuefix/analyzer"
)

func main() { unitchecker.Main(analyzer.Analyzers...) }
