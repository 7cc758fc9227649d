package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// analyzerGaps lists, by scenario or module, where the analyzers (one package at a
// time, static calls only) answer less than queuefix: a site queuefix
// changes that no analyzer diagnostic names. docs/linters.md ("What the
// analyzers see") describes these limits; the list must match exactly, so
// a gap that closes, or a new one, shows here.
var analyzerGaps = map[string][]string{
	"handler-shapes": {
		// Handlers handed as parameters to a builder in another package,
		// which puts them in the ResourceEventHandlerFuncs literal.
		"controller.go:58: queuefix rewrites AddRateLimited, no addratelimited diagnostic names it",
		"controller.go:60: queuefix rewrites AddRateLimited, no addratelimited diagnostic names it",
	},
	"promoted-methods": {
		// The handler reaches the helper through an interface call.
		"handler.go:26: queuefix rewrites AddRateLimited, no addratelimited diagnostic names it",
	},
	// The version matrix (TestAnalyzersAgreeReal).
	"clientgo-v0.20": {
		// A handler handed to pkg/handlers' builder.
		"pkg/controller/reloader.go:85: queuefix rewrites AddRateLimited, no addratelimited diagnostic names it",
	},
	"clientgo-v0.37": {
		// c.enqueueKey handed to handlers.ForLabel, whose closure calls it.
		"pkg/controller/mesh.go:108: queuefix rewrites AddRateLimited, no addratelimited diagnostic names it",
	},
}

// TestAnalyzersAgree runs queuefix -json and go vet -vettool=queuefix-vet
// -json on every scenario and holds the two to one answer: every fix an
// analyzer offers is an edit queuefix makes, byte for byte; every Forget
// queuefix inserts, the forget analyzer offers; every AddRateLimited
// queuefix rewrites, the addratelimited analyzer reports (outside
// analyzerGaps); no site queuefix keeps is reported as reached from a
// handler; and a module that does not load fails both.
func TestAnalyzersAgree(t *testing.T) {
	vettool := buildVetTool(t)
	files, err := filepath.Glob("../../testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := loadScenario(t, file)
			got := disagreements(t, sc.dir, vettool, sc.flags)
			if want := analyzerGaps[name]; !slices.Equal(got, want) {
				t.Errorf("queuefix and the analyzers disagree:\n\t%s\nwant (analyzerGaps):\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}

// TestAnalyzersAgreeReal holds queuefix and the analyzers to one answer,
// as TestAnalyzersAgree does, on examples/leaky and the version matrix:
// real client-go and controller-runtime, legacy and typed queues.
func TestAnalyzersAgreeReal(t *testing.T) {
	if testing.Short() {
		t.Skip("vets modules that use the real client-go")
	}
	vettool := buildVetTool(t)
	dirs, err := filepath.Glob("../../testdata/matrix/*/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, "../../examples/leaky/go.mod")
	for _, mod := range dirs {
		dir, _ := filepath.Abs(filepath.Dir(mod))
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := disagreements(t, dir, vettool, nil)
			if want := analyzerGaps[filepath.Base(dir)]; !slices.Equal(got, want) {
				t.Errorf("queuefix and the analyzers disagree:\n\t%s\nwant (analyzerGaps):\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		})
	}
}

func buildVetTool(t *testing.T) string {
	vettool := filepath.Join(t.TempDir(), "queuefix-vet")
	if out, err := exec.Command("go", "build", "-o", vettool, "../queuefix-vet").CombinedOutput(); err != nil {
		t.Fatalf("build queuefix-vet: %v\n%s", err, out)
	}
	return vettool
}

// vetDiag is one diagnostic of go vet -json.
type vetDiag struct {
	Posn    string `json:"posn"`
	Message string `json:"message"`
	Fixes   []struct {
		Edits []struct {
			Filename   string `json:"filename"`
			Start, End int
			New        string `json:"new"`
		} `json:"edits"`
	} `json:"suggested_fixes"`
}

var reachesAt = regexp.MustCompile(`reaches AddRateLimited at (\S+):(\d+):\d+:`)

// disagreements compares queuefix's verdicts with the analyzers'
// diagnostics on the module in dir and returns each difference as a line.
func disagreements(t *testing.T, dir, vettool string, flags []string) []string {
	stdout, stderr, code := runIn(dir, append([]string{"-json"}, flags...)...)
	var out jsonOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("queuefix -json (exit %d): %v\n%s", code, err, stderr)
	}
	vet := exec.Command("go", "vet", "-vettool="+vettool, "-json", "./...")
	vet.Dir = dir
	var vout, verr bytes.Buffer
	vet.Stdout, vet.Stderr = &vout, &verr
	vetErr := vet.Run()
	if len(out.Errors) > 0 || vetErr != nil {
		if len(out.Errors) > 0 && vetErr != nil {
			return nil // neither answers for a module that does not load
		}
		return []string{fmt.Sprintf("queuefix load errors %v, go vet: %v %s", out.Errors, vetErr, verr.String())}
	}
	diags := vetDiags(t, vout.Bytes())
	modPath := modulePath(t, dir)
	var diffs []string
	fixed := map[string]bool{} // edits queuefix makes, by finding
	status := map[string]string{}
	for _, f := range out.Findings {
		key := editKey(f.Edits)
		if f.Status == "change" {
			fixed[f.Rule+" "+key] = true
		}
		if f.Rule == "addratelimited" {
			status[fmt.Sprintf("%s:%d", f.File, f.Line)] = f.Status
		}
	}
	offered := map[string]bool{}
	seen := map[string]bool{}
	for _, d := range diags {
		rel := relPosn(dir, d.diag.Posn)
		for _, fx := range d.diag.Fixes {
			var edits []jsonEdit
			for _, e := range fx.Edits {
				edits = append(edits, jsonEdit{File: relPosn(dir, e.Filename), Offset: e.Start, End: e.End, New: e.New})
			}
			key := d.analyzer + " " + editKey(edits)
			offered[key] = true
			if !fixed[key] {
				diffs = append(diffs, fmt.Sprintf("%s: %s offers %s, which queuefix does not make", rel, d.analyzer, editKey(edits)))
			}
		}
		if m := reachesAt.FindStringSubmatch(d.diag.Message); m != nil && d.analyzer == "addratelimited" {
			s := siteFile(modPath, d.pkg, m[1]) + ":" + m[2]
			seen[s] = true
			if st := status[s]; st == "keep" || st == "" {
				diffs = append(diffs, fmt.Sprintf("%s: addratelimited says a handler reaches %s, where queuefix's verdict is %q", rel, s, st))
			}
		}
	}
	for _, f := range out.Findings {
		site := fmt.Sprintf("%s:%d", f.File, f.Line)
		switch {
		case f.Status != "change":
		case f.Rule == "forget" && !offered["forget "+editKey(f.Edits)]:
			diffs = append(diffs, fmt.Sprintf("%s: queuefix inserts Forget, the forget analyzer does not offer it", site))
		case f.Rule == "addratelimited" && !seen[site]:
			diffs = append(diffs, fmt.Sprintf("%s: queuefix rewrites AddRateLimited, no addratelimited diagnostic names it", site))
		}
	}
	sort.Strings(diffs)
	return slices.Compact(diffs)
}

type pkgDiag struct {
	pkg, analyzer string
	diag          vetDiag
}

// vetDiags decodes go vet -json's output: one object per package, each
// analyzer's diagnostics (or its error) under the package path.
func vetDiags(t *testing.T, data []byte) []pkgDiag {
	var out []pkgDiag
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var obj map[string]map[string]json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("go vet -json: %v\n%s", err, data)
		}
		for pkg, byAnalyzer := range obj {
			for analyzer, raw := range byAnalyzer {
				var ds []vetDiag
				if err := json.Unmarshal(raw, &ds); err != nil {
					t.Fatalf("go vet -json: %s in %s: %s", analyzer, pkg, raw)
				}
				for _, d := range ds {
					out = append(out, pkgDiag{pkg, analyzer, d})
				}
			}
		}
	}
	return out
}

func modulePath(t *testing.T, dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatalf("no module line in %s/go.mod", dir)
	}
	return string(m[1])
}

// siteFile turns the file of an analyzer's "reaches AddRateLimited at"
// (a base name in the reporting package, or an import path and base
// name) into a path relative to the module root, as queuefix prints.
func siteFile(modPath, pkg, file string) string {
	if strings.Contains(file, "/") {
		pkg, file = filepath.Dir(file), filepath.Base(file)
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, modPath), "/")
	return filepath.ToSlash(filepath.Join(rel, file))
}

// relPosn makes an absolute file name or position relative to dir.
func relPosn(dir, posn string) string {
	if rel, err := filepath.Rel(dir, posn); err == nil {
		return filepath.ToSlash(rel)
	}
	return posn
}

func editKey(edits []jsonEdit) string {
	var parts []string
	for _, e := range edits {
		parts = append(parts, fmt.Sprintf("%s[%d:%d]=%q", e.File, e.Offset, e.End, e.New))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}
