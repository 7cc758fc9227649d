package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The only lines the diff of a generated module may change: the handler
// AddRateLimited in enqueue (one tab deep; the retry in processNextItem is
// three), its replacement, and the Forget on the worker's success path.
const (
	removedHandler = "-\tc.queue.AddRateLimited(key)"
	addedHandler   = "+\tc.queue.Add(key)"
	addedForget    = "+\tc.queue.Forget(key)"
)

// diffCounts are the changed lines of a queuefix diff, by kind.
type diffCounts struct {
	files    int
	removed  int // handler AddRateLimited lines removed
	rewrites int // Add lines added
	forgets  int // Forget lines added
	other    []string
}

// countDiff classifies every changed line of a git-style diff.
func countDiff(diff []byte) diffCounts {
	var c diffCounts
	sc := bufio.NewScanner(bytes.NewReader(diff))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "diff --git "):
			c.files++
			if !strings.HasSuffix(line, "/controller.go") {
				c.other = append(c.other, line)
			}
		case strings.HasPrefix(line, "--- a/"), strings.HasPrefix(line, "+++ b/"),
			strings.HasPrefix(line, "@@ "), strings.HasPrefix(line, " "), line == "":
		case line == removedHandler:
			c.removed++
		case line == addedHandler:
			c.rewrites++
		case line == addedForget:
			c.forgets++
		default:
			c.other = append(c.other, line)
		}
	}
	return c
}

// checkDiff reports whether the diff makes exactly the n expected rewrites
// and n Forget insertions, and queuefix asked for no review.
func checkDiff(d diffCounts, n int, stderr string) error {
	var errs []string
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"files", d.files, n},
		{"handler AddRateLimited removed", d.removed, n},
		{"Add added", d.rewrites, n},
		{"Forget added", d.forgets, n},
	} {
		if c.got != c.want {
			errs = append(errs, fmt.Sprintf("%s: got %d, want %d", c.what, c.got, c.want))
		}
	}
	if len(d.other) > 0 {
		errs = append(errs, fmt.Sprintf("%d unexpected lines, first: %q", len(d.other), d.other[0]))
	}
	findings, account := splitAccounting(stderr)
	if findings != "" {
		errs = append(errs, "queuefix printed on stderr: "+firstLines(findings, 5))
	}
	if account != "" && (!strings.Contains(account, fmt.Sprintf(": %d to Add", n)) || strings.Contains(account, "review")) {
		errs = append(errs, "queuefix's accounting: "+account)
	}
	if len(errs) > 0 {
		return fmt.Errorf("diff: %s", strings.Join(errs, "; "))
	}
	return nil
}

// checkApplied applies the diff to a copy of mod, checks each controller's
// shape and builds the copy.
func checkApplied(mod, copyDir, diffPath string, n int) error {
	if err := copyTree(mod, copyDir); err != nil {
		return err
	}
	apply := exec.Command("git", "apply", diffPath)
	apply.Dir = copyDir
	// Keep git from finding a repository above the copy (with -keep inside
	// a work tree, git apply would resolve paths against that tree's root).
	apply.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(copyDir))
	if out, err := apply.CombinedOutput(); err != nil {
		return fmt.Errorf("git apply: %v\n%s", err, firstLines(string(out), 10))
	}
	for i := range n {
		path := filepath.Join(copyDir, "pkg", pkgName(i), "controller.go")
		if err := checkController(path); err != nil {
			return err
		}
	}
	return goCmd(copyDir, "build", "./...")
}

// checkController checks a patched controller: enqueue uses Add, and the
// worker still retries with AddRateLimited and now forgets on success,
// right before its last return.
func checkController(path string) error {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return err
	}
	want := map[string]map[string]int{
		"enqueue":         {"Add": 1, "AddRateLimited": 0, "Forget": 0},
		"processNextItem": {"Add": 0, "AddRateLimited": 1, "Forget": 2},
	}
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || want[fd.Name.Name] == nil {
			continue
		}
		got := queueCalls(fd.Body)
		for m, w := range want[fd.Name.Name] {
			if got[m] != w {
				return fmt.Errorf("%s: %s calls %s %d times, want %d", path, fd.Name.Name, m, got[m], w)
			}
		}
		if fd.Name.Name == "processNextItem" && !forgetsLast(fd.Body) {
			return fmt.Errorf("%s: processNextItem does not Forget right before its last return", path)
		}
	}
	return nil
}

// queueCalls counts the calls c.queue.M(...) in body by method name.
func queueCalls(body *ast.BlockStmt) map[string]int {
	calls := map[string]int{}
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
			if recv, ok := sel.X.(*ast.SelectorExpr); ok && recv.Sel.Name == "queue" {
				calls[sel.Sel.Name]++
			}
		}
		return true
	})
	return calls
}

// forgetsLast reports whether the statement before body's last one is a
// Forget call.
func forgetsLast(body *ast.BlockStmt) bool {
	if len(body.List) < 2 {
		return false
	}
	es, ok := body.List[len(body.List)-2].(*ast.ExprStmt)
	return ok && queueCalls(&ast.BlockStmt{List: []ast.Stmt{es}})["Forget"] == 1
}

// copyTree copies the regular files under src to dst, replacing dst.
func copyTree(src, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(dst, rel), data)
	})
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}

// splitAccounting splits queuefix's stderr into what comes before its last
// line, the accounting of every verdict ("queuefix: 2 AddRateLimited
// calls: 1 to Add, 1 kept; ..."), and that line.
func splitAccounting(stderr string) (string, string) {
	body := strings.TrimSuffix(stderr, "\n")
	i := strings.LastIndex(body, "\n")
	if last := body[i+1:]; strings.HasPrefix(last, "queuefix: ") && strings.Contains(last, " AddRateLimited call") {
		return body[:i+1], last
	}
	return stderr, ""
}
