package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
)

// CompareTraces holds a migrated controller's run to the original's: a
// typed migration changes types only, so the queue must see the same
// calls, on the same items, in the same order, with the same delays and
// the same requeue counts.
func CompareTraces(before, after Run) []Violation {
	var v []Violation
	if before.Err != "" || after.Err != "" {
		return append(v, Violation{What: fmt.Sprintf("a run failed: before %q, after %q", before.Err, after.Err)})
	}
	a, b := before.Log, after.Log
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return append(v, Violation{
				What:    fmt.Sprintf("call %d differs after the migration: before %s, after %s", i, a[i], b[i]),
				Entries: around(b, i),
			})
		}
	}
	if len(a) != len(b) {
		v = append(v, Violation{What: fmt.Sprintf("the trace has %d calls before the migration and %d after", len(a), len(b)), Entries: around(b, n)})
	}
	return v
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
