package controller_test

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/queuefix/queuefix/rewrite"
)

// TestFixedIsQueuefixOutput keeps fixed/ what queuefix makes of leaky/:
// regenerate it with gen.sh when either changes.
func TestFixedIsQueuefixOutput(t *testing.T) {
	res, err := rewrite.Run(rewrite.Options{Dir: "leaky", Tests: true}, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 || len(res.Files) != 1 {
		t.Fatalf("queuefix on leaky/: errors %v, %d changed files, want 1", res.Errors, len(res.Files))
	}
	want, err := os.ReadFile("fixed/controller.go")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Files[0].New; !bytes.Equal(got, want) {
		t.Errorf("fixed/controller.go is not queuefix's output for leaky/controller.go; run gen.sh\n%s",
			res.Files[0].Diff("leaky/controller.go"))
	}
	again, err := rewrite.Run(rewrite.Options{Dir: "fixed", Tests: true}, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Files) > 0 || slices.ContainsFunc(again.Findings, func(f rewrite.Finding) bool { return f.Status != rewrite.Keep }) {
		t.Errorf("queuefix still finds something in fixed/: %+v", again.Findings)
	}
}
