package udiff

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tests in this file check our diffs against git itself: git apply
// (and patch -p1, when installed) must reproduce new exactly, and the text
// is compared with git diff --no-index.

// command runs name in dir with git isolated from any user or system
// config, returning stdout and an error that includes stderr.
func command(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"HOME="+dir, "LC_ALL=C", "TZ=UTC")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), err
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checker owns a scratch git repository that diffs are applied in.
type checker struct {
	repo, scratch string
	patch         bool // whether patch(1) is installed
}

func newChecker(t *testing.T) *checker {
	t.Helper()
	c := &checker{repo: t.TempDir(), scratch: t.TempDir()}
	if _, err := command(c.repo, "git", "init", "-q", "."); err != nil {
		t.Fatalf("git is required for this test: %v", err)
	}
	_, err := exec.LookPath("patch")
	c.patch = err == nil
	if !c.patch {
		t.Log("patch(1) not installed: skipping the patch -p1 --dry-run checks")
	}
	return c
}

// apply writes old to the repo, checks diff with patch --dry-run and
// git apply --check, applies it with git apply and compares with new.
// Without context git apply needs --unidiff-zero to trust line numbers.
func (c *checker) apply(t *testing.T, path string, old, new, diff []byte, ctx int) error {
	file, patchFile := filepath.Join(c.repo, path), filepath.Join(c.scratch, "p.diff")
	writeFile(t, file, old)
	writeFile(t, patchFile, diff)
	if err := c.patchDryRun(patchFile); err != nil {
		return err
	}
	for _, check := range []bool{true, false} {
		args := []string{"apply"}
		if ctx == 0 {
			args = append(args, "--unidiff-zero")
		}
		if check {
			args = append(args, "--check")
		}
		if _, err := command(c.repo, "git", append(args, patchFile)...); err != nil {
			return err
		}
	}
	got, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, new) {
		return fmt.Errorf("git apply produced %q, want %q", got, new)
	}
	return nil
}

// patchDryRun runs patch -p1 without fuzz and fails on offsets too: git
// apply quietly tolerates wrong line numbers, patch reports them.
func (c *checker) patchDryRun(patchFile string) error {
	if !c.patch {
		return nil
	}
	out, err := command(c.repo, "patch", "-p1", "--dry-run", "--batch", "--fuzz=0", "-i", patchFile)
	if err != nil {
		return err
	}
	if strings.Contains(out, "offset") || strings.Contains(out, "fuzz") {
		return fmt.Errorf("patch -p1 --dry-run: %s", out)
	}
	return nil
}

var (
	indexLineRE = regexp.MustCompile(`(?m)^index [0-9a-f]+\.\.[0-9a-f]+( [0-7]+)?\n`)
	funcnameRE  = regexp.MustCompile(`(?m)^(@@ -[0-9,]+ \+[0-9,]+ @@).*$`)
)

// gitDiff returns git diff --no-index output for old -> new at path, minus
// the "index" line and the function name git appends to @@ lines.
func (c *checker) gitDiff(t *testing.T, path string, old, new []byte, ctx int, flags ...string) string {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a", path), old)
	writeFile(t, filepath.Join(dir, "b", path), new)
	args := append([]string{"diff", "--no-index", "--no-prefix", "--no-color",
		fmt.Sprintf("-U%d", ctx)}, flags...)
	out, err := command(dir, "git", append(args, "a/"+path, "b/"+path)...)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("git diff --no-index: %v", err)
	}
	out = indexLineRE.ReplaceAllString(out, "")
	return funcnameRE.ReplaceAllString(out, "$1")
}

func TestTableAgainstGit(t *testing.T) {
	c := newChecker(t)
	for _, tc := range tableCases {
		t.Run(tc.name, func(t *testing.T) {
			old, new, diff := []byte(tc.old), []byte(tc.new), tc.diff()
			if err := c.apply(t, tc.file(), old, new, diff, tc.context()); err != nil {
				t.Errorf("old %q new %q\ndiff:\n%s\n%v", old, new, diff, err)
			}
			if git := c.gitDiff(t, tc.file(), old, new, tc.context()); git != string(diff) {
				t.Errorf("old %q new %q\ngot:\n%s\ngit diff --no-index:\n%s", old, new, diff, git)
			}
		})
	}
}

// goLines are the lines random files are made of. The %d placeholders get
// small numbers so that lines repeat, as braces and blank lines do in code.
var goLines = []string{
	"package main", "", "", "}", "}", "\t}", "func f%d() error {", "\tx := %d",
	"\tif err != nil {", "\t\treturn err", "\treturn nil", "// comment %d",
	"\tfmt.Println(%d)", "type T%d struct{}", "\ty += x * %d",
}

func randomLines(r *rand.Rand, n int) []string {
	lines := make([]string, n)
	for i := range lines {
		l := goLines[r.Intn(len(goLines))]
		if strings.Contains(l, "%d") {
			l = fmt.Sprintf(l, r.Intn(4))
		}
		lines[i] = l
	}
	return lines
}

// randomEdit returns lines after 1 to 4 random inserts, deletes and
// replacements of up to 3 lines each.
func randomEdit(r *rand.Rand, lines []string) []string {
	out := append([]string(nil), lines...)
	for range 1 + r.Intn(4) {
		pos, n := r.Intn(len(out)+1), 1+r.Intn(3)
		end := min(len(out), pos+n)
		switch r.Intn(3) {
		case 0: // insert
			out = append(out[:pos], append(randomLines(r, n), out[pos:]...)...)
		case 1: // delete
			out = append(out[:pos], out[end:]...)
		default: // replace
			out = append(out[:pos], append(randomLines(r, end-pos), out[end:]...)...)
		}
	}
	return out
}

// join ends every line with eol, except the last one when !final.
func join(lines []string, eol string, final bool) []byte {
	s := strings.Join(lines, eol)
	if final && len(lines) > 0 {
		s += eol
	}
	return []byte(s)
}

// randomPair returns an old file and a random edit of it: mostly LF,
// sometimes CRLF, sometimes without a final newline on either side.
func randomPair(r *rand.Rand) (old, new []byte) {
	eol := "\n"
	if r.Intn(10) == 0 {
		eol = "\r\n"
	}
	lines := randomLines(r, r.Intn(40))
	return join(lines, eol, r.Intn(5) > 0), join(randomEdit(r, lines), eol, r.Intn(5) > 0)
}

// changeCount returns the number of deleted plus inserted lines in a diff.
func changeCount(diff string) int {
	n := 0
	for _, l := range strings.Split(diff, "\n") {
		if (strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "--- ")) ||
			(strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++ ")) {
			n++
		}
	}
	return n
}

func TestRandomAgainstGit(t *testing.T) {
	const cases = 300
	c := newChecker(t)
	r := rand.New(rand.NewSource(1))
	kinds := map[string]int{}
	for i := range cases {
		old, new := randomPair(r)
		diff := Unified("pkg/gen.go", old, new)
		if bytes.Equal(old, new) {
			if diff != nil {
				t.Errorf("case %d: old == new %q: got %q, want nil", i, old, diff)
			}
			continue
		}
		if err := c.apply(t, "pkg/gen.go", old, new, diff, DefaultContext); err != nil {
			t.Fatalf("case %d: old %q\nnew %q\ndiff:\n%s\n%v", i, old, new, diff, err)
		}
		if err := checkDiff(old, new, diff, DefaultContext); err != nil {
			t.Fatalf("case %d: old %q\nnew %q\ndiff:\n%s\n%v", i, old, new, diff, err)
		}
		kind, err := c.compare(t, "pkg/gen.go", old, new, diff)
		if err != nil {
			t.Errorf("case %d: old %q\nnew %q\n%v", i, old, new, err)
		}
		kinds[kind]++
	}
	t.Logf("%d random cases, compared with git diff --no-index: %v", cases, kinds)
}

// compare classifies diff against git diff --no-index. A different
// alignment is fine, but ours comes from an exact Myers search, so it must
// not change more lines than git diff --minimal.
func (c *checker) compare(t *testing.T, path string, old, new, diff []byte) (string, error) {
	if c.gitDiff(t, path, old, new, DefaultContext) == string(diff) {
		return "identical", nil
	}
	git := c.gitDiff(t, path, old, new, DefaultContext, "--minimal")
	switch ours, theirs := changeCount(string(diff)), changeCount(git); {
	case ours > theirs:
		return "larger", fmt.Errorf("our diff changes more lines than git --minimal\ngot:\n%s\ngit:\n%s", diff, git)
	case ours == theirs:
		return "other alignment, same size", nil
	}
	return "smaller than git --minimal", nil
}

func TestPathsAgainstGit(t *testing.T) {
	c := newChecker(t)
	old, new := []byte(nine), []byte(swap(nine, "e", "E"))
	for _, path := range []string{"top.go", "a/b/c d.go", "dir/x\"y.go", "dir/tab\there.go",
		"ünï/cødé.go", `back\slash.go`, "-dash.go", "a b/c d/e f"} {
		diff := Unified(path, old, new)
		if err := c.apply(t, path, old, new, diff, DefaultContext); err != nil {
			t.Errorf("path %q\ndiff:\n%s\n%v", path, diff, err)
		}
		if git := c.gitDiff(t, path, old, new, DefaultContext); git != string(diff) {
			t.Errorf("path %q\ngot:\n%s\ngit diff --no-index:\n%s", path, diff, git)
		}
	}
}

// TestFallbackAgainstGit runs the table and random cases through the
// replace-the-middle fallback used for inputs too big for go-diff.
func TestFallbackAgainstGit(t *testing.T) {
	defer func(n int) { maxLines = n }(maxLines)
	maxLines = 0
	c := newChecker(t)
	for _, tc := range tableCases {
		old, new, diff := []byte(tc.old), []byte(tc.new), tc.diff()
		if err := c.apply(t, tc.file(), old, new, diff, tc.context()); err != nil {
			t.Errorf("%s: old %q new %q\ndiff:\n%s\n%v", tc.name, old, new, diff, err)
		}
	}
	r := rand.New(rand.NewSource(2))
	for i := range 50 {
		old, new := randomPair(r)
		if bytes.Equal(old, new) {
			continue
		}
		diff := Unified("pkg/gen.go", old, new)
		if err := c.apply(t, "pkg/gen.go", old, new, diff, DefaultContext); err != nil {
			t.Errorf("case %d: old %q\nnew %q\ndiff:\n%s\n%v", i, old, new, diff, err)
		}
	}
}
