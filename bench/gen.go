package main

import (
	"bytes"
	"fmt"
	"go/format"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

const (
	modulePath   = "example.com/synth"
	packageLines = 750 // lines per generated package, roughly
	fileLines    = 230 // a fragment file is closed once it is this long
)

const goMod = `module example.com/synth

go 1.22

require (
	k8s.io/apimachinery v0.37.2
	k8s.io/client-go v0.37.2
)
`

// words name the domain concepts fragments are about. None of them may be a
// fragment prefix, or a fragment's F and T could collide.
var words = strings.Fields(`quota lease shard zone tier route audit drift probe
	batch fence ledger budget replica span tenant region window cohort beacon
	mirror anchor canary vault relay harbor signal ticket`)

// generate writes a module of n controller packages into dir, replacing
// what was there, and returns how many lines of Go it holds.
func generate(dir string, n int, seed uint64) (int, error) {
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	if err := writeFile(filepath.Join(dir, "go.mod"), []byte(goMod)); err != nil {
		return 0, err
	}
	lines := 0
	for i := range n {
		files, err := genPackage(i, seed)
		if err != nil {
			return 0, fmt.Errorf("generate %s: %w", pkgName(i), err)
		}
		for _, f := range files {
			if err := writeFile(filepath.Join(dir, "pkg", pkgName(i), f.name), f.src); err != nil {
				return 0, err
			}
			lines += bytes.Count(f.src, []byte("\n"))
		}
	}
	return lines, nil
}

func pkgName(i int) string { return fmt.Sprintf("c%04d", i) }

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

type genFile struct {
	name string
	src  []byte
}

// pkgGen holds what one package's generation has declared so far.
type pkgGen struct {
	i       int
	rng     *rand.Rand
	callees map[byte][]string // by signature kind (see sigKinds)
	count   int               // fragments so far, for unique names
}

// genPackage returns the files of package i.
func genPackage(i int, seed uint64) ([]genFile, error) {
	g := &pkgGen{
		i:   i,
		rng: rand.New(rand.NewPCG(seed, uint64(i))),
		callees: map[byte][]string{
			'S': {"Normalize", "prevNormalize"},
			'I': {"Weigh"},
			'B': {"HasOwner"},
			'E': {"CheckName", "prevValidate"},
			'L': {"SortByKey"},
		},
	}
	fixed, err := g.fixedFiles()
	if err != nil {
		return nil, err
	}
	budget := packageLines - strings.Count(controllerText, "\n")
	for _, f := range fixed {
		budget -= bytes.Count(f.src, []byte("\n"))
	}
	ordinary, err := g.fragmentFiles(budget)
	if err != nil {
		return nil, err
	}
	// The controller picks its validators and weigher among everything
	// the package declares.
	ctrl, err := g.render("controller.go", controllerText)
	if err != nil {
		return nil, err
	}
	return append(append(fixed, ordinary...), ctrl), nil
}

// fixedFiles returns types.go and bridge.go.
func (g *pkgGen) fixedFiles() ([]genFile, error) {
	types, err := g.render("types.go", typesText)
	if err != nil {
		return nil, err
	}
	bridge := bridgeText
	if g.i == 0 {
		bridge = bottomBridgeText
	}
	br, err := g.render("bridge.go", bridge)
	if err != nil {
		return nil, err
	}
	return []genFile{types, br}, nil
}

// render executes a whole-file template with fresh fragment data.
func (g *pkgGen) render(name, text string) (genFile, error) {
	src, err := execute(text, g.data(fragment{prefix: "file"}))
	if err != nil {
		return genFile{}, err
	}
	src, err = gofmt(name, src)
	return genFile{name: name, src: src}, err
}

// fileNames are the names of the fragment files, in order.
var fileNames = []string{"logic.go", "policy.go", "report.go", "util.go", "stages.go", "extra.go"}

// fragmentFiles adds random fragments until about budget lines are written.
func (g *pkgGen) fragmentFiles(budget int) ([]genFile, error) {
	var files []genFile
	for budget > 0 {
		name := fileNames[min(len(files), len(fileNames)-1)]
		if len(files) >= len(fileNames) {
			name = fmt.Sprintf("extra%d.go", len(files))
		}
		f, err := g.fragmentFile(name, min(budget, fileLines))
		if err != nil {
			return nil, err
		}
		budget -= bytes.Count(f.src, []byte("\n"))
		files = append(files, f)
	}
	return files, nil
}

// fragmentFile writes one file of fragments at least lines long.
func (g *pkgGen) fragmentFile(name string, lines int) (genFile, error) {
	var body bytes.Buffer
	imports := map[string]bool{}
	for n := 0; n < lines; n = bytes.Count(body.Bytes(), []byte("\n")) {
		fr := fragments[g.rng.IntN(len(fragments))]
		d := g.data(fr)
		text, err := execute(fr.text, d)
		if err != nil {
			return genFile{}, fmt.Errorf("fragment %s: %w", fr.prefix, err)
		}
		body.Write(text)
		for _, imp := range fr.imports {
			imports[imp] = true
		}
		g.declare(fr, d)
	}
	src, err := gofmt(name, append(fileHeader(g.i, imports), body.Bytes()...))
	return genFile{name: name, src: src}, err
}

// declare makes the fragment's function and variable callable by later ones.
func (g *pkgGen) declare(fr fragment, d fragData) {
	if fr.kind != 0 {
		g.callees[fr.kind] = append(g.callees[fr.kind], d.F)
	}
	if fr.tkind != 0 {
		g.callees[fr.tkind] = append(g.callees[fr.tkind], d.T)
	}
}

func fileHeader(i int, imports map[string]bool) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "package %s\n\n", pkgName(i))
	if len(imports) == 0 {
		return b.Bytes()
	}
	paths := make([]string, 0, len(imports))
	for p := range imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	b.WriteString("import (\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "\t%q\n", p)
	}
	b.WriteString(")\n")
	return b.Bytes()
}

// fragData is what fragment and file templates are executed with.
type fragData struct {
	Pkg, Prev      string
	F, T, TC       string // function, type (or variable), exported type name
	W              string // the domain word
	K1, K2, K3     int    // constants: K1 in [10,60), K2 in [2,10), K3 in [20,500)
	S, S2          string // callees func(string) string
	I, B, E, E2, L string
}

func (g *pkgGen) data(fr fragment) fragData {
	g.count++
	w := words[g.rng.IntN(len(words))]
	t := w + title(fr.prefix) + fmt.Sprint(g.count)
	d := fragData{
		Pkg: pkgName(g.i),
		F:   fr.prefix + title(w) + fmt.Sprint(g.count),
		T:   t,
		TC:  title(t),
		W:   w,
		K1:  10 + g.rng.IntN(50),
		K2:  2 + g.rng.IntN(8),
		K3:  20 + g.rng.IntN(480),
		S:   g.pick('S'), S2: g.pick('S'),
		I: g.pick('I'), B: g.pick('B'), E: g.pick('E'), E2: g.pick('E'), L: g.pick('L'),
	}
	if g.i > 0 {
		d.Prev = modulePath + "/pkg/" + pkgName(g.i-1)
	}
	return d
}

func (g *pkgGen) pick(kind byte) string {
	names := g.callees[kind]
	return names[g.rng.IntN(len(names))]
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// parsed caches templates by their text.
var parsed = map[string]*template.Template{}

func execute(text string, d fragData) ([]byte, error) {
	t := parsed[text]
	if t == nil {
		var err error
		t, err = template.New("").Option("missingkey=error").Parse(text)
		if err != nil {
			return nil, err
		}
		parsed[text] = t
	}
	var b bytes.Buffer
	err := t.Execute(&b, d)
	return b.Bytes(), err
}

func gofmt(name string, src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("%s does not parse: %w\n%s", name, err, src)
	}
	return out, nil
}
