package citest

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/xeipuuv/gojsonschema"
)

// sarifSchema returns the OASIS SARIF 2.1.0 JSON schema (errata 01), as
// the go-sarif module embeds it in its source.
func sarifSchema(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif").Output()
	if err != nil {
		t.Fatalf("go list go-sarif: %v", err)
	}
	name := filepath.Join(strings.TrimSpace(string(out)), "schema.go")
	f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if vs.Names[0].Name == "schema" {
				s, err := strconv.Unquote(vs.Values[0].(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
		}
	}
	t.Fatalf("%s declares no schema constant", name)
	return ""
}

// TestSARIFSchema validates queuefix's own bytes, for one module and for
// -modules, against the SARIF 2.1.0 schema, and reads them with go-sarif.
func TestSARIFSchema(t *testing.T) {
	dir := leakyCopy(t)
	schema := gojsonschema.NewStringLoader(sarifSchema(t))
	for _, args := range [][]string{{"-format", "sarif"}, {"-modules", "-format", "sarif", "."}} {
		out, code := runQueuefix(t, dir, args...)
		if code != 0 {
			t.Errorf("queuefix %v: exit %d, want 0", args, code)
		}
		res, err := gojsonschema.Validate(schema, gojsonschema.NewBytesLoader(out))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Errors() {
			t.Errorf("queuefix %v: %s", args, e)
		}
		rep, err := sarif.FromBytes(out)
		if err != nil {
			t.Fatalf("go-sarif cannot read the log: %v", err)
		}
		if len(rep.Runs) != 1 || len(rep.Runs[0].Results) != 4 {
			t.Errorf("queuefix %v: want 1 run with 4 results\n%s", args, out)
		}
		for _, r := range rep.Runs[0].Results {
			if r.PartialFingerprints["primaryLocationLineHash"] == "" {
				t.Errorf("result without the fingerprint code scanning uses: %s", out)
			}
			if loc := r.Locations[0].PhysicalLocation; loc.Region.EndLine == nil || loc.Region.EndColumn == nil || loc.ArtifactLocation.URIBaseID == nil {
				t.Errorf("result without endLine, endColumn or uriBaseId: %s", out)
			}
		}
	}
	// The schema check is not vacuous: a rule without its required id fails.
	bad := bytes.Replace(must(runQueuefix(t, dir, "-format", "sarif")), []byte(`"id": "forget"`), []byte(`"id": 7`), 1)
	if res, _ := gojsonschema.Validate(schema, gojsonschema.NewBytesLoader(bad)); res == nil || res.Valid() {
		t.Error("the schema accepts a rule whose id is a number")
	}
}

func must(b []byte, _ int) []byte { return b }

// readFile reads a file of dir.
func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
