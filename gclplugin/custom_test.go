package gclplugin_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/modfile"
)

// customGCL is golangci-lint built as golangci-lint custom builds it from
// .custom-gcl.yml.
type customGCL struct {
	bin      string
	dir      string // the module it was built in
	yml      customConfig
	upstream *modfile.File // golangci-lint's go.mod
}

// customConfig is the part of .custom-gcl.yml golangci-lint custom reads
// for module plugins.
type customConfig struct {
	Version string `yaml:"version"`
	Plugins []struct {
		Module  string `yaml:"module"`
		Import  string `yaml:"import"`
		Version string `yaml:"version"`
		Path    string `yaml:"path"`
	} `yaml:"plugins"`
}

var (
	customOnce sync.Once
	custom     *customGCL
	customErr  error
)

// customGolangciLint builds golangci-lint with the plugin from the
// release, once per test run.
func customGolangciLint(t *testing.T) *customGCL {
	t.Helper()
	r := stage(t)
	customOnce.Do(func() { custom, customErr = buildCustom(r) })
	if customErr != nil {
		t.Fatalf("golangci-lint custom, from .custom-gcl.yml: %v", customErr)
	}
	return custom
}

// buildCustom does what golangci-lint custom does, which clones
// golangci-lint at the yml's version (unreachable here): the same
// golangci-lint main package, a plugins.go importing each plugin, the
// plugin modules required at the yml's versions, go mod tidy, go build.
func buildCustom(r *release) (*customGCL, error) {
	c := &customGCL{dir: filepath.Join(r.dir, "custom")}
	data, err := os.ReadFile(".custom-gcl.yml")
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(data, &c.yml); err != nil {
		return nil, fmt.Errorf(".custom-gcl.yml: %v", err)
	}
	if err := checkConfig(c.yml, r.version); err != nil {
		return nil, err
	}
	upstream, err := downloadGolangciLint(r, c.yml.Version)
	if err != nil {
		return nil, err
	}
	if c.upstream, err = readModFile(filepath.Join(upstream, "go.mod")); err != nil {
		return nil, err
	}
	if err := writeCustomModule(c, upstream); err != nil {
		return nil, err
	}
	if _, err := r.goCmd(c.dir, nil, "mod", "tidy"); err != nil {
		return nil, err
	}
	c.bin = filepath.Join(r.dir, "bin", "custom-gcl")
	_, err = r.goCmd(c.dir, nil, "build", "-o", c.bin, ".")
	return c, err
}

// checkConfig checks that the yml installs the plugin from the module
// proxy at the release's version.
func checkConfig(yml customConfig, version string) error {
	if len(yml.Plugins) != 1 {
		return fmt.Errorf(".custom-gcl.yml: %d plugins, want 1", len(yml.Plugins))
	}
	p := yml.Plugins[0]
	if p.Module != rootModule || p.Version != version || p.Path != "" || !strings.HasPrefix(p.Import, rootModule+"/") {
		return fmt.Errorf(".custom-gcl.yml: plugin module %s version %s path %q import %s; want module %s version %s (this module's go.mod) from the module proxy",
			p.Module, p.Version, p.Path, p.Import, rootModule, version)
	}
	if !strings.HasPrefix(yml.Version, "v2.") {
		return fmt.Errorf(".custom-gcl.yml: golangci-lint version %q, want v2.x", yml.Version)
	}
	return nil
}

// downloadGolangciLint returns the directory of golangci-lint's source at
// version in the release's module cache.
func downloadGolangciLint(r *release, version string) (string, error) {
	out, err := r.goCmd(r.dir, nil, "mod", "download", "-json", golangciLint+"@"+version)
	if err != nil {
		return "", err
	}
	var m struct{ Dir string }
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: no directory in %s (%v)", golangciLint, version, out, err)
	}
	return m.Dir, nil
}

func readModFile(path string) (*modfile.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return modfile.Parse(path, data, nil)
}

// writeCustomModule writes golangci-lint's main package and go.sum, and a
// go.mod and plugins.go for the yml's plugins, to c.dir.
func writeCustomModule(c *customGCL, upstream string) error {
	goMod := fmt.Sprintf("module example.com/custom-gcl\n\ngo %s\n\nrequire %s %s\n", c.upstream.Go.Version, golangciLint, c.yml.Version)
	plugins := "package main\n\nimport (\n"
	for _, p := range c.yml.Plugins {
		goMod += fmt.Sprintf("require %s %s\n", p.Module, p.Version)
		plugins += fmt.Sprintf("\t_ %q\n", p.Import)
	}
	plugins += ")\n"
	if err := copyTree(filepath.Join(upstream, "cmd", "golangci-lint"), c.dir); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(upstream, "go.sum"))
	if err != nil {
		return err
	}
	for name, data := range map[string]string{"go.mod": goMod, "go.sum": string(sum), "plugins.go": plugins} {
		if err := os.WriteFile(filepath.Join(c.dir, name), []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// TestCustomBuild checks golangci-lint custom's build: adding the plugin
// raises none of golangci-lint's own requirements (other linters keep the
// versions the team's golangci-lint release has), and the binary has the
// plugin at the release's version.
func TestCustomBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds golangci-lint")
	}
	c := customGolangciLint(t)
	r := stage(t)
	out, err := r.goCmd(c.dir, nil, "list", "-m", "-f", "{{.Path}} {{.Version}}", "all")
	if err != nil {
		t.Fatal(err)
	}
	selected := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		path, v, _ := strings.Cut(line, " ")
		selected[path] = v
	}
	for _, req := range c.upstream.Require {
		if v := selected[req.Mod.Path]; v != req.Mod.Version {
			t.Errorf("with the plugin, %s is at %s; golangci-lint %s requires %s", req.Mod.Path, v, c.yml.Version, req.Mod.Version)
		}
	}
	bi, err := exec.Command("go", "version", "-m", c.bin).CombinedOutput()
	if want := "\tdep\t" + rootModule + "\t" + r.version + "\t"; err != nil || !strings.Contains(string(bi), want) {
		t.Errorf("go version -m %s: %v; want %q in\n%s", c.bin, err, want, bi)
	}
}
