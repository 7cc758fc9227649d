package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestAnalyzersAgree runs queuefix -json and go vet -vettool=queuefix-vet
// -json on every scenario and holds the two to one answer: every fix an
// analyzer offers is an edit queuefix makes, byte for byte; every Forget
// queuefix inserts, the forget analyzer offers; every AddRateLimited
// queuefix changes or leaves for review, the addratelimited analyzer
// reports at the call with the same status (a fix exactly when queuefix
// changes it); no site queuefix keeps is reported; and a module that does
// not load fails both. The one tolerated difference is computed, not
// listed: where queuefix's handler path starts in another package than
// the call, a diagnostic at the handler that names the call, without a
// fix, also answers (see crossesPackages).
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
			sc := sharedScenario(t, file)
			flags := openWorld(sc.flags)
			if got := disagreements(t, sc.dir, vettool, flags); len(got) > 0 {
				t.Errorf("queuefix %s and the analyzers disagree:\n\t%s", strings.Join(flags, " "), strings.Join(got, "\n\t"))
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
	for _, dir := range append(matrixModules(t), "../../examples/leaky") {
		dir, _ := filepath.Abs(dir)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if got := disagreements(t, dir, vettool, nil); len(got) > 0 {
				t.Errorf("queuefix and the analyzers disagree:\n\t%s", strings.Join(got, "\n\t"))
			}
		})
	}
}

// openWorld drops -closed from a scenario's flags: an analyzer sees one
// package, whose importers may call its exported functions, so it answers
// as queuefix does without -closed. It drops -rule too: the analyzers
// are the default rules, which queuefix then runs.
func openWorld(flags []string) []string {
	var out []string
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case "-closed":
		case "-rule":
			i++
		default:
			out = append(out, flags[i])
		}
	}
	return out
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

// reachesAt finds the call an addratelimited diagnostic at a handler
// names when the call is in another package.
var reachesAt = regexp.MustCompile(`reaches AddRateLimited at (\S+):(\d+):\d+ through`)

// queuefixVerdicts is queuefix's answer on a module, by site (file:line).
type queuefixVerdicts struct {
	fixed  map[string]bool   // edits queuefix makes, by rule and edits
	status map[string]string // addratelimited sites
	cross  map[string]bool   // sites whose handler path starts in another package
}

func newVerdicts(out jsonOutput) queuefixVerdicts {
	v := queuefixVerdicts{fixed: map[string]bool{}, status: map[string]string{}, cross: map[string]bool{}}
	for _, f := range out.Findings {
		if f.Status == "change" {
			v.fixed[f.Rule+" "+editKey(f.Edits)] = true
		}
		if f.Rule != "addratelimited" {
			continue
		}
		site := fmt.Sprintf("%s:%d", f.File, f.Line)
		v.status[site] = f.Status
		v.cross[site] = crossesPackages(f)
	}
	return v
}

// crossesPackages reports whether the finding's handler path starts in
// another directory (package) than the call: the analyzer of the call's
// package cannot see that handler.
func crossesPackages(f jsonFinding) bool {
	for _, c := range f.Chains {
		if c.Kind == "handler" && len(c.Frames) > 0 {
			return path.Dir(c.Frames[0].File) != path.Dir(f.File)
		}
	}
	return false
}

// disagreements compares queuefix's verdicts with the analyzers'
// diagnostics on the module in dir and returns each difference as a line.
func disagreements(t *testing.T, dir, vettool string, flags []string) []string {
	stdout, stderr, code := runJSON(dir, flags...)
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
	v := newVerdicts(out)
	modPath := modulePath(t, dir)
	var diffs []string
	offered := map[string]bool{}
	local := map[string]bool{} // sites an addratelimited diagnostic sits at
	named := map[string]bool{} // sites in another package a diagnostic names
	for _, d := range vetDiags(t, vout.Bytes()) {
		rel := relPosn(dir, d.diag.Posn)
		for _, fx := range d.diag.Fixes {
			var edits []jsonEdit
			for _, e := range fx.Edits {
				edits = append(edits, jsonEdit{File: relPosn(dir, e.Filename), Offset: e.Start, End: e.End, New: e.New})
			}
			key := d.analyzer + " " + editKey(edits)
			offered[key] = true
			if !v.fixed[key] {
				diffs = append(diffs, fmt.Sprintf("%s: %s offers %s, which queuefix does not make", rel, d.analyzer, editKey(edits)))
			}
		}
		if d.analyzer != "addratelimited" {
			continue
		}
		site, status := lineOf(rel), "review"
		if len(d.diag.Fixes) > 0 {
			status = "change"
		}
		if m := reachesAt.FindStringSubmatch(d.diag.Message); m != nil {
			site = siteFile(modPath, d.pkg, m[1]) + ":" + m[2]
			named[site] = true
			if st := v.status[site]; st != "change" && st != "review" || status != "review" {
				diffs = append(diffs, fmt.Sprintf("%s: addratelimited (%s) says a handler reaches %s, where queuefix's verdict is %q", rel, status, site, st))
			}
			continue
		}
		local[site] = true
		if st := v.status[site]; st != status && !(st == "change" && status == "review" && importersMayCall.MatchString(d.diag.Message)) {
			diffs = append(diffs, fmt.Sprintf("%s: addratelimited says %s, queuefix %q", site, status, st))
		}
	}
	for _, f := range out.Findings {
		site := fmt.Sprintf("%s:%d", f.File, f.Line)
		switch {
		case f.Rule == "forget" && f.Status == "change" && !offered["forget "+editKey(f.Edits)]:
			diffs = append(diffs, fmt.Sprintf("%s: queuefix inserts Forget, the forget analyzer does not offer it", site))
		case f.Rule == "done" && f.Status == "change" && !offered["done "+editKey(f.Edits)]:
			diffs = append(diffs, fmt.Sprintf("%s: queuefix inserts Done, the done analyzer does not offer it", site))
		case f.Rule != "addratelimited" || f.Status != "change" && f.Status != "review":
		case local[site]:
		case v.cross[site] && named[site]:
		default:
			diffs = append(diffs, fmt.Sprintf("%s: queuefix says %s, no addratelimited diagnostic names it", site, f.Status))
		}
	}
	sort.Strings(diffs)
	return slices.Compact(diffs)
}

// importersMayCall matches the one reason an analyzer, seeing one package,
// leaves for review a site that queuefix, seeing the module, changes: an
// exported function on the way, which importers may call (a worker's
// retry in another package). Offering the fix there could be a wrong edit.
var importersMayCall = regexp.MustCompile(`\(\S+ is exported: packages that import this one may call it`)

// lineOf cuts a position file:line:col to file:line.
func lineOf(posn string) string {
	if i := strings.LastIndex(posn, ":"); i >= 0 {
		return posn[:i]
	}
	return posn
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
