package controller_test

import (
	"bytes"
	"os"
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
	if left := notKept(again.Findings); len(left) > 0 || len(again.Files) > 0 {
		t.Errorf("queuefix still finds something in fixed/: %+v", left)
	}
}

// notKept returns the findings that are not a Keep verdict: the worker's
// retry stays AddRateLimited, and queuefix says so.
func notKept(fs []rewrite.Finding) []rewrite.Finding {
	var out []rewrite.Finding
	for _, f := range fs {
		if f.Status != rewrite.Keep {
			out = append(out, f)
		}
	}
	return out
}
