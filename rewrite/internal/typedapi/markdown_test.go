package typedapi

import (
	"bytes"
	"flag"
	"fmt"
	"go/types"
	"os"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/table.md from the table")

// testMarkdown checks testdata/table.md, the table as the docs show it,
// against the table, with parameter names from release r.
func testMarkdown(t *testing.T, r *release) {
	const file = "testdata/table.md"
	got := markdown(r)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run TestClientGo/markdown -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale; run go test -run TestClientGo/markdown -update\ngot:\n%s", file, got)
	}
}

// markdown renders the table as old -> new rows, parameters named as in r.
func markdown(r *release) []byte {
	var b bytes.Buffer
	b.WriteString("| deprecated | kind | replacement | since | SA1019 sees it |\n|---|---|---|---|---|\n")
	for _, e := range Table {
		old := e.Name
		var args []string
		if fn, ok := r.lookup(e.Name).(*types.Func); ok {
			_, args = placeholders(fn.Signature(), nil)
			for i := range args {
				args[i] = strings.Replace(args[i], "a"+strconv.Itoa(i), fn.Signature().Params().At(i).Name(), 1)
			}
			old = e.Name + typeParams(fn.Signature()) + "(" + strings.Join(args, ", ") + ")"
		}
		sees := "yes"
		if e.Hidden {
			sees = "**no**"
		}
		for _, f := range e.Forms {
			repl := f.Type("", "T")
			if e.Kind == Func {
				repl = f.Call("", "T", args)
			}
			fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s | %s |\n", old, e.Kind, repl, f.Since, sees)
		}
	}
	return b.Bytes()
}

// typeParams returns "[T]" for a generic function, else "".
func typeParams(sig *types.Signature) string {
	if sig.TypeParams().Len() == 0 {
		return ""
	}
	return "[T]"
}
