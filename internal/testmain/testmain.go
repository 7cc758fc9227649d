// Package testmain runs the tests of a package that runs queuefix with
// queuefix's cache in a temporary directory, so that the stamps -load=auto
// leaves for the tests' temporary modules stay out of the user's cache.
package testmain

import (
	"fmt"
	"os"
	"testing"
)

// Run runs m with QUEUEFIX_CACHE set to a new temporary directory, which
// it removes afterwards, then runs cleanups and exits with m's status.
func Run(m *testing.M, cleanups ...func()) {
	dir, err := os.MkdirTemp("", "queuefix-cache")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("QUEUEFIX_CACHE", dir)
	code := m.Run()
	os.RemoveAll(dir)
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}
