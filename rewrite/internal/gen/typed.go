package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
)

// CompareTraces holds a migrated controller's run to the original's: a
// typed migration changes types only, so each item must see the same
// queue calls, in the same order, with the same delays and the same
// requeue counts, round by round. The order across items is not
// compared: two items due at the same time leave the real delaying
// queue in the order its goroutine and the fake clock happen to meet.
func CompareTraces(before, after Run) []Violation {
	if before.Err != "" || after.Err != "" {
		return []Violation{{What: fmt.Sprintf("a run failed: before %q, after %q", before.Err, after.Err)}}
	}
	a, b := byItem(before.Log), byItem(after.Log)
	var v []Violation
	for _, item := range itemsOf(a, b) {
		x, y := a[item], b[item]
		n := min(len(x), len(y))
		i := 0
		for i < n && sameCall(x[i], y[i]) {
			i++
		}
		switch {
		case i < n:
			v = append(v, Violation{
				What:    fmt.Sprintf("item %s, call %d differs after the migration: before %s, after %s", item, i, x[i], y[i]),
				Entries: around(y, i),
			})
		case len(x) != len(y):
			v = append(v, Violation{What: fmt.Sprintf("item %s has %d calls before the migration and %d after", item, len(x), len(y)), Entries: around(y, n)})
		}
	}
	return v
}

// sameCall compares two logged calls but for their worker step number.
func sameCall(a, b Entry) bool {
	a.Step, b.Step = 0, 0
	return a == b
}

func byItem(log []Entry) map[string][]Entry {
	out := map[string][]Entry{}
	for _, e := range log {
		out[e.Item] = append(out[e.Item], e)
	}
	return out
}

func itemsOf(a, b map[string][]Entry) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range []map[string][]Entry{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// around returns a few entries of log around index i.
func around(log []Entry, i int) []Entry {
	return log[max(0, i-3):min(len(log), i+3)]
}

// legacyNames are the untyped work-queue names a typed migration replaces.
var legacyNames = map[string]bool{
	"RateLimitingInterface":                true,
	"DelayingInterface":                    true,
	"Interface":                            true,
	"RateLimiter":                          true,
	"NewRateLimitingQueue":                 true,
	"NewNamedRateLimitingQueue":            true,
	"NewRateLimitingQueueWithConfig":       true,
	"DefaultControllerRateLimiter":         true,
	"NewItemExponentialFailureRateLimiter": true,
	"NewMaxOfRateLimiter":                  true,
}

// CheckMigrated holds a migrated controller's source to what a typed
// migration must leave: no untyped work-queue names, no assertion of
// the item to string, and the queue's name (the metrics depend on it).
func CheckMigrated(src []byte, queueName string) []Violation {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "controller.go", src, 0)
	if err != nil {
		return []Violation{{What: fmt.Sprintf("the migrated controller does not parse: %v", err)}}
	}
	var v []Violation
	named := false
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && x.Name == "workqueue" && legacyNames[n.Sel.Name] {
				v = append(v, Violation{What: fmt.Sprintf("line %d: workqueue.%s is left after the migration", fset.Position(n.Pos()).Line, n.Sel.Name)})
			}
		case *ast.TypeAssertExpr:
			if id, ok := n.Type.(*ast.Ident); ok && id.Name == "string" {
				v = append(v, Violation{What: fmt.Sprintf("line %d: an assertion to string is left after the migration", fset.Position(n.Pos()).Line)})
			}
		case *ast.BasicLit:
			if s, err := strconv.Unquote(n.Value); err == nil && s == queueName {
				named = true
			}
		}
		return true
	})
	if !named {
		v = append(v, Violation{What: fmt.Sprintf("the queue lost its name %q in the migration", queueName)})
	}
	return v
}
