package citest

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// action is the part of action.yml a composite action has.
type action struct {
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	If    string            `yaml:"if"`
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

func readAction(t *testing.T) *action {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil && !strings.Contains(err.Error(), "not found in type") {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("action.yml is not a composite action with steps")
	}
	return &a
}

var (
	exprRE  = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)
	inputRE = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepRE  = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
)

// TestActionReferences checks that every input and step output that
// action.yml refers to exists, and that every input is used.
func TestActionReferences(t *testing.T) {
	a := readAction(t)
	var exprs []string
	for _, o := range a.Outputs {
		exprs = append(exprs, o.Value)
	}
	written := map[string]bool{} // step.output
	for _, s := range a.Runs.Steps {
		exprs = append(exprs, s.If, s.Run)
		for _, v := range s.Env {
			exprs = append(exprs, v)
		}
		for _, v := range s.With {
			exprs = append(exprs, v)
		}
		for _, m := range regexp.MustCompile(`(?m)^\s*echo "([a-z-]+)=`).FindAllStringSubmatch(s.Run, -1) {
			written[s.ID+"."+m[1]] = true
		}
		if s.Run != "" && s.Shell != "bash" {
			t.Errorf("step %q: a composite run step needs shell: bash", s.Name)
		}
		if exprRE.MatchString(s.Run) {
			t.Errorf("step %q: expressions in a script are injected unquoted; pass them through env", s.Name)
		}
	}
	used := map[string]bool{}
	for _, e := range exprs {
		for _, m := range inputRE.FindAllStringSubmatch(e, -1) {
			used[m[1]] = true
			if _, ok := a.Inputs[m[1]]; !ok {
				t.Errorf("action.yml refers to input %q, which it does not declare", m[1])
			}
		}
		for _, m := range stepRE.FindAllStringSubmatch(e, -1) {
			if !written[m[1]+"."+m[2]] {
				t.Errorf("action.yml refers to steps.%s.outputs.%s, which no step writes", m[1], m[2])
			}
		}
	}
	for name, in := range a.Inputs {
		if !used[name] {
			t.Errorf("input %q is declared but never used", name)
		}
		if in.Description == "" {
			t.Errorf("input %q has no description", name)
		}
	}
}

// actionRun is one run of the action's steps on a fixture.
type actionRun struct {
	workspace string
	temp      string // RUNNER_TEMP
	code      int    // of the first step that failed, else 0
	log       string
	summary   string // GITHUB_STEP_SUMMARY
	outputs   map[string]string
	with      map[string]map[string]string // uses without @ref -> its with:, expanded
	uploaded  string                       // sarif_file given to upload-sarif, if it ran
	calls     []string                     // go and queuefix commands the steps ran, with some env
}

// actionRef is the ref the tests give the action (github.action_ref).
const actionRef = "v9.8.7"

// actionOptions are what a test sets besides the inputs.
type actionOptions struct {
	env        map[string]string // the job's environment
	stopBefore string            // the name of a step not to run, nor any after it
}

// runAction runs the action's shell steps the way the runner does (bash
// -eo pipefail, a GITHUB_OUTPUT per step, GITHUB_PATH, GITHUB_STEP_SUMMARY)
// with a fake GITHUB_* environment, in a git workspace holding
// examples/leaky at svc/. Steps that use other actions are not run but
// their with: is recorded; setup-go's GOTOOLCHAIN=local is exported as
// setup-go does. go and queuefix run through wrappers that log each call.
func runAction(t *testing.T, inputs map[string]string) *actionRun {
	return runActionWith(t, inputs, actionOptions{})
}

func runActionWith(t *testing.T, inputs map[string]string, opt actionOptions) *actionRun {
	t.Helper()
	a := readAction(t)
	for name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("the test sets input %q, which action.yml lacks", name)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	if err := os.Rename(leakyCopy(t), filepath.Join(ws, "svc")); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "init", "-q", ws).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out) // actions/checkout leaves a repository
	}
	tmp := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		files[name] = filepath.Join(tmp, name)
		os.WriteFile(files[name], nil, 0o644)
	}
	wrappers, callLog := commandWrappers(t)
	r := &actionRun{workspace: ws, temp: tmp, outputs: map[string]string{}, with: map[string]map[string]string{}}
	steps := map[string]map[string]string{}
	ctx := func(name string) string {
		switch {
		case name == "github.action_path":
			return root
		case name == "github.action_ref":
			return actionRef
		case strings.HasPrefix(name, "inputs."):
			if v, ok := inputs[name[len("inputs."):]]; ok {
				return v
			}
			return a.Inputs[name[len("inputs."):]].Default
		case stepRE.MatchString(name):
			m := stepRE.FindStringSubmatch(name)
			return steps[m[1]][m[2]]
		}
		t.Fatalf("action.yml uses ${{ %s }}, which the test cannot evaluate", name)
		return ""
	}
	expand := func(s string) string {
		return exprRE.ReplaceAllStringFunc(s, func(e string) string { return ctx(exprRE.FindStringSubmatch(e)[1]) })
	}
	jobEnv := map[string]string{}
	for k, v := range opt.env {
		jobEnv[k] = v
	}
	for _, s := range a.Runs.Steps {
		if opt.stopBefore != "" && s.Name == opt.stopBefore {
			break
		}
		if s.If != "" && !evalIf(t, s.If, ctx, r.code != 0) {
			continue
		}
		if s.Uses != "" {
			uses, _, _ := strings.Cut(s.Uses, "@")
			r.with[uses] = map[string]string{}
			for k, v := range s.With {
				r.with[uses][k] = expand(v)
			}
			if uses == "github/codeql-action/upload-sarif" {
				r.uploaded = expand(s.With["sarif_file"])
			}
			if uses == "actions/setup-go" {
				jobEnv["GOTOOLCHAIN"] = "local"
			}
			continue
		}
		if r.code != 0 {
			continue // a failed step skips the rest unless they say always()
		}
		os.WriteFile(files["GITHUB_OUTPUT"], nil, 0o644)
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
		cmd.Dir = ws
		env := append(os.Environ(), "GITHUB_WORKSPACE="+ws, "GITHUB_ACTION_PATH="+root, "RUNNER_TEMP="+tmp,
			"GITHUB_ACTIONS=true", "CI=true", "CITEST_LOG="+callLog,
			"PATH="+wrappers+string(os.PathListSeparator)+githubPath(t, files["GITHUB_PATH"])+os.Getenv("PATH"))
		for name, f := range files {
			env = append(env, name+"="+f)
		}
		for k, v := range jobEnv {
			env = append(env, k+"="+v)
		}
		for k, v := range s.Env {
			env = append(env, k+"="+expand(v))
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		r.log += string(out)
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if s.ID != "" {
			steps[s.ID] = readOutputs(t, files["GITHUB_OUTPUT"])
		}
	}
	for name, o := range a.Outputs {
		r.outputs[name] = expand(o.Value)
	}
	r.summary = readFile(t, tmp, "GITHUB_STEP_SUMMARY")
	if data, err := os.ReadFile(callLog); err == nil {
		r.calls = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}
	return r
}

// commandWrappers writes go and queuefix scripts that append their
// command line and Go's build environment to the file named by
// $CITEST_LOG, then run the next go or queuefix on the PATH. It returns
// their directory and the log file.
func commandWrappers(t *testing.T) (dir, log string) {
	t.Helper()
	dir = t.TempDir()
	log = filepath.Join(t.TempDir(), "calls")
	for _, name := range []string{"go", "queuefix"} {
		script := `#!/bin/sh
printf '%s GOTOOLCHAIN=%s GOOS=%s GOARCH=%s GOFLAGS=%s GOWORK=%s |' "NAME" "$GOTOOLCHAIN" "$GOOS" "$GOARCH" "$GOFLAGS" "$GOWORK" >> "$CITEST_LOG"
printf ' %s' "$@" >> "$CITEST_LOG"
echo >> "$CITEST_LOG"
real=$(PATH=${PATH#"$(dirname "$0")":} command -v NAME)
exec "$real" "$@"
`
		script = strings.ReplaceAll(script, "NAME", name)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, log
}

// callsOf returns the logged calls of a command.
func (r *actionRun) callsOf(name string) []string {
	var out []string
	for _, c := range r.calls {
		if strings.HasPrefix(c, name+" ") {
			out = append(out, c)
		}
	}
	return out
}

// evalIf evaluates the conditions action.yml uses: terms joined by &&,
// each always(), or X == 'v' / X != 'v' on a context value.
func evalIf(t *testing.T, cond string, ctx func(string) string, failed bool) bool {
	ok, always := true, false
	for _, term := range strings.Split(cond, "&&") {
		term = strings.TrimSpace(term)
		if term == "always()" {
			always = true
			continue
		}
		op := " == "
		if strings.Contains(term, " != ") {
			op = " != "
		}
		lhs, rhs, found := strings.Cut(term, op)
		if !found || !strings.HasPrefix(rhs, "'") || !strings.HasSuffix(rhs, "'") {
			t.Fatalf("the test cannot evaluate the condition %q", term)
		}
		eq := ctx(strings.TrimSpace(lhs)) == strings.Trim(rhs, "'")
		ok = ok && eq == (op == " == ")
	}
	return ok && (always || !failed)
}

func githubPath(t *testing.T, file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line != "" {
			out = line + string(os.PathListSeparator) + out
		}
	}
	return out
}

func readOutputs(t *testing.T, file string) map[string]string {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	return out
}

// TestActionSARIF runs the action with SARIF upload on a module in a
// subdirectory: the step fails (fail-on change) after one queuefix run,
// each finding is an annotation on its line, the report is the job
// summary, and the SARIF that goes to the upload names files from the
// repository root, in its own category.
func TestActionSARIF(t *testing.T) {
	r := runAction(t, map[string]string{"working-directory": "svc", "upload-sarif": "true"})
	if r.code == 0 || !strings.Contains(r.log, "::error title=queuefix::3 changes pending and 1 findings need review") {
		t.Errorf("exit %d, want a failure with an error annotation:\n%s", r.code, r.log)
	}
	sarif := filepath.Join(r.temp, "queuefix.sarif")
	if r.outputs["changes"] != "3" || r.outputs["reviews"] != "1" || r.outputs["output"] != sarif {
		t.Errorf("outputs %v, want 3 changes, 1 review, %s", r.outputs, sarif)
	}
	if r.uploaded != sarif {
		t.Fatalf("upload-sarif got sarif_file %q, want %s (it must run after a failed check)", r.uploaded, sarif)
	}
	if runs := r.callsOf("queuefix"); len(runs) != 1 || !strings.Contains(runs[0], "| -C svc -format sarif -report "+filepath.Join(r.temp, "queuefix-report.md")+" ./...") {
		t.Errorf("queuefix ran %d times, want once with -format sarif and -report:\n%s", len(runs), strings.Join(runs, "\n"))
	}
	for _, want := range []string{
		"::warning file=svc/controller.go,line=52,col=12,endLine=52,endColumn=31,title=queuefix addratelimited::c.queue.AddRateLimited is reached only from event handlers",
		"::warning file=svc/controller.go,line=113,col=3,endLine=113,endColumn=14,title=queuefix forget::worker never calls Forget",
		"title=queuefix addratelimited::Needs review: c.queue.AddRateLimited in main.(*Controller).requeueAll",
		"::group::queuefix report (3 changes, 1 findings need review)",
		"+++ b/controller.go",
	} {
		if !strings.Contains(r.log, want) {
			t.Errorf("log lacks %q:\n%s", want, r.log)
		}
	}
	for _, want := range []string{"### queuefix: 3 planned changes, 1 findings need review", "**1 file changed", "### Changes", "```diff", "### Needs a human"} {
		if !strings.Contains(r.summary, want) {
			t.Errorf("job summary lacks %q:\n%s", want, r.summary)
		}
	}
	var doc struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string } `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(readFile(t, "/", r.uploaded)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Runs[0].AutomationDetails.ID != "queuefix/svc/" {
		t.Errorf("category %q, want queuefix/svc/", doc.Runs[0].AutomationDetails.ID)
	}
	for _, res := range doc.Runs[0].Results {
		if a := res.Locations[0].PhysicalLocation.ArtifactLocation; a.URI != "svc/controller.go" || a.URIBaseID != "%SRCROOT%" {
			t.Errorf("result in %+v, want svc/controller.go from %%SRCROOT%%", a)
		}
	}
}

// TestActionFailOn checks fail-on and the other formats: diff is what
// queuefix -diff prints, text lists the findings as queuefix does, json
// is queuefix -json; each from one run.
func TestActionFailOn(t *testing.T) {
	never := runAction(t, map[string]string{"working-directory": "svc", "format": "diff", "fail-on": "never"})
	direct, _ := runQueuefix(t, filepath.Join(never.workspace, "svc"), "-diff")
	if got := readFile(t, never.temp, "queuefix.diff"); never.code != 0 || got != string(direct) || !strings.Contains(got, "diff --git a/controller.go b/controller.go") {
		t.Errorf("fail-on never, format diff: exit %d\n%s\n--- diff:\n%s\n--- want queuefix -diff:\n%s", never.code, never.log, got, direct)
	}
	review := runAction(t, map[string]string{"working-directory": "svc", "format": "json", "fail-on": "review", "modules": "true"})
	if review.code == 0 || !strings.Contains(review.log, "1 findings need review") || review.uploaded != "" {
		t.Errorf("fail-on review with a finding to review: exit %d, upload %q\n%s", review.code, review.uploaded, review.log)
	}
	if !strings.Contains(readFile(t, review.temp, "queuefix.json"), `"status": "review"`) {
		t.Errorf("format json wrote no findings")
	}
	if !strings.Contains(review.log, "::warning file=svc/controller.go,line=83,col=11,") {
		t.Errorf("format json: no annotation with the path from the repository root:\n%s", review.log)
	}
	text := runAction(t, map[string]string{"working-directory": "svc", "format": "text", "output": "out/queuefix.txt", "fail-on": "never"})
	got := readFile(t, text.workspace, "out/queuefix.txt")
	changes, _ := runQueuefix(t, filepath.Join(text.workspace, "svc"))
	for _, line := range strings.SplitAfter(string(changes), "\n") {
		if !strings.Contains(got, line) {
			t.Errorf("format text lacks %q of queuefix's output:\n%s", line, got)
		}
	}
	if !strings.Contains(got, "controller.go:83:11: addratelimited: c.queue.AddRateLimited in main.(*Controller).requeueAll") {
		t.Errorf("format text lacks the finding that needs review:\n%s", got)
	}
	for _, r := range []*actionRun{never, review, text} {
		if n := len(r.callsOf("queuefix")); n != 1 {
			t.Errorf("queuefix ran %d times, want once:\n%s", n, strings.Join(r.calls, "\n"))
		}
	}
	bad := runAction(t, map[string]string{"fail-on": "sometimes"})
	if bad.code != 2 || !strings.Contains(bad.log, "fail-on: want change, review or never, not 'sometimes'") || len(bad.calls) != 0 {
		t.Errorf("bad fail-on: exit %d, want 2 before anything is built\n%s", bad.code, bad.log)
	}
	mismatch := runAction(t, map[string]string{"format": "text", "upload-sarif": "true"})
	if mismatch.code != 2 || !strings.Contains(mismatch.log, "upload-sarif needs format sarif") {
		t.Errorf("upload-sarif with format text: exit %d\n%s", mismatch.code, mismatch.log)
	}
}

// TestActionSetupGo checks what reaches setup-go: go-version stable only
// when no go-version-file is given (setup-go ignores the file whenever
// go-version is set), and a cache key from the directory queuefix runs in.
func TestActionSetupGo(t *testing.T) {
	for _, tc := range []struct {
		inputs                  map[string]string
		version, file, cacheDep string
	}{
		{map[string]string{}, "stable", "", ""},
		{map[string]string{"go-version-file": "svc/go.mod", "working-directory": "svc"}, "", "svc/go.mod", "svc/go.sum"},
		{map[string]string{"go-version": "1.24", "go-version-file": "svc/go.mod"}, "1.24", "svc/go.mod", ""},
		{map[string]string{"modules": "true", "working-directory": "svc/"}, "stable", "", "svc/**/go.sum"},
		{map[string]string{"cache-dependency-path": "go.work.sum", "working-directory": "svc"}, "stable", "", "go.work.sum"},
	} {
		r := runActionWith(t, tc.inputs, actionOptions{stopBefore: "Build queuefix"})
		with := r.with["actions/setup-go"]
		want := map[string]string{"go-version": tc.version, "go-version-file": tc.file, "cache-dependency-path": tc.cacheDep}
		if r.code != 0 || !reflect.DeepEqual(with, want) {
			t.Errorf("inputs %v: exit %d, setup-go with %v, want %v\n%s", tc.inputs, r.code, with, want, r.log)
		}
	}
}

// TestActionBuild runs the action in a job that sets GOFLAGS for its
// target, after setup-go's GOTOOLCHAIN=local: queuefix is built without
// them, with GOTOOLCHAIN=auto so that an older Go fetches the one
// queuefix's go.mod asks for, and with the action's ref as its version,
// while the target's go list still gets the job's environment.
func TestActionBuild(t *testing.T) {
	r := runActionWith(t, map[string]string{"working-directory": "svc", "fail-on": "never"},
		actionOptions{env: map[string]string{"GOFLAGS": "-tags=citest", "GOOS": runtime.GOOS, "GOARCH": runtime.GOARCH}})
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.log)
	}
	var build, list []string
	for _, c := range r.callsOf("go") {
		switch {
		case strings.Contains(c, "| -C "+filepath.Dir(mustAbs(t, "."))+" build "):
			build = append(build, c)
		case strings.Contains(c, "| list "):
			list = append(list, c)
		}
	}
	wantBuild := "go GOTOOLCHAIN=auto GOOS= GOARCH= GOFLAGS= GOWORK=off | -C " + filepath.Dir(mustAbs(t, ".")) +
		" build -trimpath -ldflags -X github.com/queuefix/queuefix/internal/version.override=" + actionRef + " -o "
	if len(build) != 1 || !strings.HasPrefix(build[0], wantBuild) {
		t.Errorf("build calls:\n%s\nwant one starting\n%s", strings.Join(build, "\n"), wantBuild)
	}
	if len(list) == 0 {
		t.Fatalf("queuefix ran no go list:\n%s", strings.Join(r.calls, "\n"))
	}
	for _, c := range list {
		if !strings.HasPrefix(c, "go GOTOOLCHAIN=local GOOS="+runtime.GOOS+" GOARCH="+runtime.GOARCH+" GOFLAGS=-tags=citest ") {
			t.Errorf("queuefix's go list without the job's environment: %s", c)
		}
	}
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestActionArgs passes flags through the args input, one word each,
// and refuses words that are no flags the Action leaves to the workflow;
// nothing in them is run by a shell.
func TestActionArgs(t *testing.T) {
	r := runAction(t, map[string]string{"working-directory": "svc", "fail-on": "never", "args": "-closed  -tags citest,e2e\n-test=false -v"})
	runs := r.callsOf("queuefix")
	if r.code != 0 || len(runs) != 1 || !strings.Contains(runs[0], "| -C svc -closed -tags citest,e2e -test=false -v -format sarif ") {
		t.Errorf("args: exit %d, queuefix calls:\n%s\n%s", r.code, strings.Join(runs, "\n"), r.log)
	}
	for args, want := range map[string]string{
		"-w":                           "args: -w is not allowed",
		"--format=json":                "args: --format=json is not allowed",
		"-closed ./...":                "args: './...' is not a flag",
		"-tags":                        "args: -tags needs a value",
		"-C /":                         "args: -C is not allowed",
		"$(touch${IFS}pwned) -closed":  "args: '$(touch${IFS}pwned)' is not a flag",
		"-closed;touch${IFS}pwned":     "args: -closed;touch${IFS}pwned is not allowed",
		"-load `touch${IFS}pwned` -v ": "",
	} {
		r := runActionWith(t, map[string]string{"args": args}, actionOptions{stopBefore: "Build queuefix"})
		if want == "" && r.code != 0 || want != "" && (r.code != 2 || !strings.Contains(r.log, want)) {
			t.Errorf("args %q: exit %d, want %q\n%s", args, r.code, want, r.log)
		}
		if _, err := os.Stat(filepath.Join(r.workspace, "pwned")); err == nil {
			t.Errorf("args %q ran a command", args)
		}
	}
}

// TestREADMEWorkflows checks that the workflows in README.md and docs/*.md
// give the Action only inputs it declares, and read only outputs it
// declares; and that the front page and the CI and fleet pages show it.
func TestREADMEWorkflows(t *testing.T) {
	a := readAction(t)
	docs, err := filepath.Glob(filepath.Join("..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	uses := map[string]int{}
	for _, path := range append([]string{filepath.Join("..", "README.md")}, docs...) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(filepath.ToSlash(path), "../")
		uses[name] = checkWorkflows(t, a, name, string(data))
	}
	// The check and reviewdog workflows (docs/ci.md), the fleet matrix
	// (docs/fleet.md) and the minimal one on the front page.
	for name, want := range map[string]int{"README.md": 1, "docs/ci.md": 2, "docs/fleet.md": 1} {
		if uses[name] < want {
			t.Errorf("found %d uses of the Action in %s's workflows, want at least %d", uses[name], name, want)
		}
	}
}

// checkWorkflows checks the workflows among the yaml blocks of a Markdown
// page against the Action's inputs and outputs, and returns how many steps
// use the Action.
func checkWorkflows(t *testing.T, a *action, page, md string) int {
	t.Helper()
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(md, -1)
	uses := 0
	for _, b := range blocks {
		var wf struct {
			Jobs map[string]struct {
				Steps []actionStep `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if yaml.Unmarshal([]byte(b[1]), &wf) != nil {
			continue // not a workflow (a batch spec, .golangci.yml)
		}
		for _, job := range wf.Jobs {
			ids := map[string]bool{}
			for _, s := range job.Steps {
				if !strings.HasPrefix(s.Uses, "queuefix/queuefix@") {
					continue
				}
				uses++
				ids[s.ID] = true
				for name := range s.With {
					if _, ok := a.Inputs[name]; !ok {
						t.Errorf("%s: a workflow gives the Action input %q, which action.yml lacks", page, name)
					}
				}
			}
			for _, s := range job.Steps {
				for _, m := range stepRE.FindAllStringSubmatch(s.If, -1) {
					if _, ok := a.Outputs[m[2]]; ids[m[1]] && !ok {
						t.Errorf("%s: a workflow reads output %q of the Action, which action.yml lacks", page, m[2])
					}
				}
			}
		}
	}
	return uses
}
