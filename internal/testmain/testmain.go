// Package testmain runs the tests of a package that runs queuefix with
// queuefix's cache in a temporary directory, so that the stamps -load=auto
// leaves for the tests' temporary modules stay out of the user's cache.
package testmain

import (
	"fmt"
	"os"
	"testing"
)

// shared is the directory Shared returns.
var shared string

// Run runs m with QUEUEFIX_CACHE set to a new temporary directory, and
// with a directory for Shared, removes both afterwards, then runs
// cleanups and exits with m's status.
func Run(m *testing.M, cleanups ...func()) {
	dir, err := os.MkdirTemp("", "queuefix-cache")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("QUEUEFIX_CACHE", dir)
	shared, err = os.MkdirTemp("", "queuefix-shared")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.RemoveAll(shared)
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

// Shared returns a temporary directory that lives as long as the test
// binary, for what several tests share: a module that more than one test
// reads keeps one path, and the go command's build cache, which keys a
// package's compilation by its directory, compiles it once for all of
// them. It is empty when Run does not run the tests.
func Shared() string { return shared }
