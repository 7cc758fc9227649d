package citest

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	code      int // of the first step that failed, else 0
	log       string
	outputs   map[string]string
	uploaded  string // sarif_file given to upload-sarif, if it ran
}

// runAction runs the action's shell steps the way the runner does (bash
// -eo pipefail, GITHUB_OUTPUT, GITHUB_PATH) with a fake GITHUB_*
// environment, in a workspace holding examples/leaky at svc/. Steps that
// use other actions are not run: checkout and setup-go have nothing to do
// here, and the upload is recorded.
func runAction(t *testing.T, inputs map[string]string) *actionRun {
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
	tmp := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		files[name] = filepath.Join(tmp, name)
		os.WriteFile(files[name], nil, 0o644)
	}
	r := &actionRun{workspace: ws, outputs: map[string]string{}}
	steps := map[string]map[string]string{}
	ctx := func(name string) string {
		switch {
		case name == "github.action_path":
			return root
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
	for _, s := range a.Runs.Steps {
		if s.If != "" && !evalIf(t, s.If, ctx, r.code != 0) {
			continue
		}
		if s.Uses != "" {
			if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
				r.uploaded = expand(s.With["sarif_file"])
			}
			continue
		}
		if r.code != 0 {
			continue // a failed step skips the rest unless they say always()
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
		cmd.Dir = ws
		env := append(os.Environ(), "GITHUB_WORKSPACE="+ws, "GITHUB_ACTION_PATH="+root, "RUNNER_TEMP="+tmp,
			"GITHUB_ACTIONS=true", "CI=true", "PATH="+githubPath(t, files["GITHUB_PATH"])+os.Getenv("PATH"))
		for name, f := range files {
			env = append(env, name+"="+f)
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
	return r
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
// subdirectory: the step fails (fail-on change), and the SARIF that goes to
// the upload names files from the repository root, in its own category.
func TestActionSARIF(t *testing.T) {
	r := runAction(t, map[string]string{"working-directory": "svc", "upload-sarif": "true"})
	if r.code == 0 || !strings.Contains(r.log, "::error title=queuefix::3 changes pending and 1 findings need review") {
		t.Errorf("exit %d, want a failure with an error annotation:\n%s", r.code, r.log)
	}
	if r.outputs["changes"] != "3" || r.outputs["reviews"] != "1" || r.outputs["output"] != "queuefix.sarif" {
		t.Errorf("outputs %v, want 3 changes, 1 review, queuefix.sarif", r.outputs)
	}
	if r.uploaded != "queuefix.sarif" {
		t.Fatalf("upload-sarif got sarif_file %q, want queuefix.sarif (it must run after a failed check)", r.uploaded)
	}
	var doc struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(readFile(t, r.workspace, r.uploaded)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Runs[0].AutomationDetails.ID != "queuefix/svc/" {
		t.Errorf("category %q, want queuefix/svc/", doc.Runs[0].AutomationDetails.ID)
	}
	for _, res := range doc.Runs[0].Results {
		if uri := res.Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "svc/controller.go" {
			t.Errorf("result in %q, want svc/controller.go", uri)
		}
	}
}

// TestActionFailOn checks fail-on and the other formats.
func TestActionFailOn(t *testing.T) {
	never := runAction(t, map[string]string{"working-directory": "svc", "format": "diff", "fail-on": "never"})
	if never.code != 0 || !strings.Contains(readFile(t, never.workspace, "queuefix.diff"), "diff --git a/controller.go b/controller.go") {
		t.Errorf("fail-on never, format diff: exit %d\n%s", never.code, never.log)
	}
	review := runAction(t, map[string]string{"working-directory": "svc", "format": "json", "fail-on": "review", "modules": "true"})
	if review.code == 0 || !strings.Contains(review.log, "1 findings need review") || review.uploaded != "" {
		t.Errorf("fail-on review with a finding to review: exit %d, upload %q\n%s", review.code, review.uploaded, review.log)
	}
	if !strings.Contains(readFile(t, review.workspace, "queuefix.json"), `"status": "review"`) {
		t.Errorf("format json wrote no findings")
	}
	bad := runAction(t, map[string]string{"fail-on": "sometimes"})
	if bad.code != 2 || !strings.Contains(bad.log, "fail-on: want change, review or never, not 'sometimes'") {
		t.Errorf("bad fail-on: exit %d\n%s", bad.code, bad.log)
	}
	mismatch := runAction(t, map[string]string{"format": "text", "upload-sarif": "true"})
	if mismatch.code != 2 || !strings.Contains(mismatch.log, "upload-sarif needs format sarif") {
		t.Errorf("upload-sarif with format text: exit %d\n%s", mismatch.code, mismatch.log)
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
