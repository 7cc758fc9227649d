// Package gen generates small but real controllers for queuefix's
// execution harness: client-go informer handlers and workers, and
// controller-runtime handlers, on the real work queue, each with an oracle
// that says what queuefix must do to every site and every path, and a
// script of events and sync outcomes that walks those paths.
//
// Generation is seeded and deterministic: a controller is a function of its
// shape, and its shape a function of the seed and its index.
package gen

import (
	"embed"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed skel/harness.go.txt
var skel embed.FS

// ModulePath is the generated module's path.
const ModulePath = "example.com/qfgen"

// A Controller is one generated package with its oracle and script.
type Controller struct {
	Name   string // package name, and its directory under c/
	Shape  Shape
	Source []byte
	Oracle Oracle
	Script Script
}

// Script mirrors the harness's Script: events per round and the outcome
// of each sync per item.
type Script struct {
	Rounds   [][]Event        `json:"rounds"`
	Outcomes map[string][]int `json:"outcomes"` // 0 ok, 1 transient, 2 permanent
	Invalid  string           `json:"-"`        // the invalid item as the log names it, or ""
	Undone   bool             `json:"undone"`   // some path misses Done: the harness logs it and goes on
}

// An Event is one handler call, or the injection of an item of the wrong type.
type Event struct {
	Kind      string `json:"kind"`
	Namespace string `json:"ns"`
	Name      string `json:"name"`
}

// Outcome names, in the harness's order.
var Outcomes = []string{"ok", "transient", "permanent"}

// Generate returns n controllers drawn from seed.
func Generate(seed uint64, n int, f Features) ([]*Controller, error) {
	out := make([]*Controller, 0, n)
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		c, err := Build(fmt.Sprintf("c%04d", i), drawShape(r, f))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// GenerateLegacy returns n controllers of legacy-constructor shapes
// (Shape.Ctor), the input of the typed migration, drawn from seed.
func GenerateLegacy(seed uint64, n int) ([]*Controller, error) {
	out := make([]*Controller, 0, n)
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		s := drawShape(r, Features{V2: true})
		for s.CR {
			s = drawShape(r, Features{V2: true})
		}
		s.Ctor = true
		c, err := Build(fmt.Sprintf("c%04d", i), s)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Build writes the controller of one shape.
func Build(name string, s Shape) (*Controller, error) {
	s = s.normal()
	e := &emitter{s: s, pkg: name}
	e.emit()
	src, err := e.source()
	if err != nil {
		return nil, err
	}
	return &Controller{Name: name, Shape: s, Source: src, Oracle: oracleFor(s, e.sites), Script: scriptFor(s)}, nil
}

// scriptFor returns events and outcomes that walk every path of the shape:
// each failure path is entered with failures already counted, so that a
// missing Forget shows in NumRequeues.
func scriptFor(s Shape) Script {
	const ns = "default"
	ev := func(kind, name string) Event { return Event{kind, ns, name} }
	if s.CR {
		return Script{Rounds: [][]Event{{ev("add", "a"), ev("add", "b")}, {ev("update", "a"), ev("delete", "b")}}}
	}
	const ok, transient, permanent = 0, 1, 2
	sc := Script{Outcomes: map[string][]int{
		ns + "/flaky":  {transient, ok},
		ns + "/flaky2": {transient, transient, ok},
		ns + "/perm":   {transient, permanent},
	}}
	first := []Event{ev("add", "ok"), ev("add", "flaky"), ev("add", "flaky2"), ev("add", "perm")}
	if s.Limit {
		sc.Outcomes[ns+"/exhaust"] = []int{transient, transient, transient, transient, transient}
		first = append(first, ev("add", "exhaust"))
	}
	switch {
	case s.Invalid == "none" || s.Ctor:
	case s.Legacy:
		first = append(first, Event{"inject", ns, "xyz"})
		sc.Invalid = "int(3)"
	default:
		first = append(first, Event{"add", "bad/ns", "x"})
		sc.Invalid = "bad/ns/x"
	}
	sc.Rounds = [][]Event{first, {ev("update", "ok"), ev("update", "flaky"), ev("delete", "perm")}}
	sc.Undone = s.Done != ""
	if sc.Undone && s.Invalid != "none" {
		// The invalid item comes again: processed only if it got Done.
		sc.Rounds[1] = append(sc.Rounds[1], first[len(first)-1])
	}
	return sc
}

// WriteModule writes the controllers, the harness and the driver into dir
// as one module; gomod and gosum are the module's requirements.
func WriteModule(dir string, cs []*Controller, gomod, gosum []byte) error {
	h, err := skel.ReadFile("skel/harness.go.txt")
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"go.mod":             gomod,
		"go.sum":             gosum,
		"harness/harness.go": h,
		"driver/main.go":     driver(cs),
	}
	for _, c := range cs {
		files[filepath.Join("c", c.Name, "controller.go")] = c.Source
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// GoMod returns a go.mod for the module from the require blocks of a
// module that already pins the versions (the ctrlruntime-v0.25 matrix module).
func GoMod(pinned []byte) ([]byte, error) {
	text := string(pinned)
	i := strings.Index(text, "\ngo ")
	if i < 0 {
		return nil, fmt.Errorf("go.mod has no go directive")
	}
	return []byte("module " + ModulePath + "\n" + text[i:]), nil
}

// driver writes the program that runs every controller's script and
// prints the logs as JSON.
func driver(cs []*Controller) []byte {
	var imports, builds strings.Builder
	names := make([]string, 0, len(cs))
	for _, c := range cs {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&imports, "\t%s \"%s/c/%s\"\n", n, ModulePath, n)
		fmt.Fprintf(&builds, "\t%q: %s.Build,\n", n, n)
	}
	return []byte(fmt.Sprintf(`// Command driver runs each generated controller's script (a JSON file
// named by its argument) and prints every controller's call log as JSON.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"%[1]s/harness"
%[2]s)

var builds = map[string]func(*harness.Env) harness.Parts{
%[3]s}

type result struct {
	Log []harness.Entry `+"`json:\"log\"`"+`
	Err string          `+"`json:\"err,omitempty\"`"+`
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var scripts map[string]harness.Script
	if err := json.Unmarshal(data, &scripts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := make(map[string]result, len(scripts))
	sem := make(chan bool, 4)
	for name, s := range scripts {
		build := builds[name]
		if build == nil {
			fmt.Fprintf(os.Stderr, "no controller %%s\n", name)
			os.Exit(2)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- true
			defer func() { <-sem }()
			log, err := harness.Run(build, s)
			r := result{Log: log}
			if err != nil {
				r.Err = err.Error()
			}
			mu.Lock()
			out[name] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
`, ModulePath, imports.String(), builds.String()))
}
