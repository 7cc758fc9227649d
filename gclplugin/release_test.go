package gclplugin_test

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/zip"
)

// These tests install and build queuefix's golangci-lint binaries the way
// users do, from a module proxy, with the working tree published as the
// version this module's go.mod requires of the root module (the release
// being prepared; docs/release.md). The proxy is a GOPROXY=file://
// directory holding that version of the root module and of this one, with
// the shared module cache and the real proxy behind it for every other
// module. Nothing here reads a go.work or edits a committed go.mod.

const (
	rootModule   = "github.com/queuefix/queuefix"
	pluginModule = "github.com/queuefix/queuefix/gclplugin"
	binaryPkg    = pluginModule + "/cmd/golangci-lint-queuefix"
	golangciLint = "github.com/golangci/golangci-lint/v2"
)

// release is a working tree published to a temporary module proxy.
type release struct {
	dir     string   // proxy, module cache and binaries
	version string   // the root and this module's version
	env     []string // for go commands that use the proxy
}

var (
	stageOnce sync.Once
	staged    *release
	stageErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if staged != nil {
		os.RemoveAll(staged.dir) // -modcacherw leaves the module cache removable
	}
	os.Exit(code)
}

// stage publishes the working tree once per test run.
func stage(t *testing.T) *release {
	t.Helper()
	stageOnce.Do(func() { staged, stageErr = newRelease() })
	if stageErr != nil {
		t.Fatalf("publish the working tree to a file:// proxy: %v", stageErr)
	}
	return staged
}

func newRelease() (*release, error) {
	version, err := requiredRoot("go.mod")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "queuefix-release")
	if err != nil {
		return nil, err
	}
	r := &release{dir: dir, version: version}
	if r.env, err = proxyEnv(dir); err != nil {
		return r, err
	}
	proxy := filepath.Join(dir, "proxy")
	rootZip, err := publish(proxy, rootModule, version, "..")
	if err != nil {
		return r, err
	}
	nested := filepath.Join(dir, "gclplugin")
	if err := copyTree(".", nested); err != nil {
		return r, err
	}
	if err := bumpGoSum(filepath.Join(nested, "go.sum"), rootZip, filepath.Join("..", "go.mod"), version); err != nil {
		return r, err
	}
	_, err = publish(proxy, pluginModule, version, nested)
	return r, err
}

// requiredRoot returns the version of the root module that the go.mod at
// path requires, and fails on a replace directive: go install refuses a
// module that has one, and golangci-lint custom ignores it.
func requiredRoot(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		return "", err
	}
	if len(f.Replace) > 0 || len(f.Exclude) > 0 {
		return "", fmt.Errorf("%s has replace or exclude directives: go install ...@version refuses the module", path)
	}
	for _, r := range f.Require {
		if r.Mod.Path == rootModule {
			return r.Mod.Version, nil
		}
	}
	return "", fmt.Errorf("%s does not require %s", path, rootModule)
}

// proxyEnv is the environment of go commands that use the release: a
// module cache of their own, so that the shared one never holds the
// working tree under a real version; no checksum database lookups for
// the two modules, which it does not know (or knows with other content).
// -trimpath keeps the build cache keys free of the module cache's path,
// so that golangci-lint compiles once on this machine, not once a run.
func proxyEnv(dir string) ([]string, error) {
	out, err := exec.Command("go", "env", "GOMODCACHE", "GOPROXY").Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	proxies := []string{"file://" + filepath.ToSlash(filepath.Join(dir, "proxy"))}
	if len(lines) > 0 && lines[0] != "" {
		proxies = append(proxies, "file://"+filepath.ToSlash(filepath.Join(lines[0], "cache", "download")))
	}
	if len(lines) > 1 {
		for _, p := range strings.FieldsFunc(lines[1], func(r rune) bool { return r == ',' || r == '|' }) {
			if p != "direct" && p != "off" {
				proxies = append(proxies, p)
			}
		}
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"GOFLAGS", "GOPROXY", "GOWORK", "GOMODCACHE", "GOBIN", "GOPRIVATE", "GONOPROXY", "GONOSUMDB"}, name)
	})
	return append(env,
		"GOWORK=off",
		"GOMODCACHE="+filepath.Join(dir, "modcache"),
		"GOPROXY="+strings.Join(proxies, ","),
		"GONOSUMDB="+rootModule,
		"GOFLAGS=-modcacherw -trimpath",
	), nil
}

// publish writes module path at version, made from the files in dir, to
// the file:// proxy, and returns the path of its zip.
func publish(proxy, path, version, dir string) (string, error) {
	esc, err := module.EscapePath(path)
	if err != nil {
		return "", err
	}
	at := filepath.Join(proxy, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		return "", err
	}
	zipPath := filepath.Join(at, version+".zip")
	var buf bytes.Buffer
	if err := zip.CreateFromDir(&buf, module.Version{Path: path, Version: version}, dir); err != nil {
		return "", err
	}
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	info := fmt.Sprintf(`{"Version":%q,"Time":"2026-01-01T00:00:00Z"}`, version)
	for name, data := range map[string][]byte{
		version + ".zip":  buf.Bytes(),
		version + ".mod":  goMod,
		version + ".info": []byte(info),
		"list":            []byte(version + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return zipPath, nil
}

// bumpGoSum does to the go.sum at path what the release's go get of the
// root module does: the root module's lines become those of rootZip.
func bumpGoSum(path, rootZip, rootGoMod, version string) error {
	zipHash, err := dirhash.HashZip(rootZip, dirhash.Hash1)
	if err != nil {
		return err
	}
	goMod, err := os.ReadFile(rootGoMod)
	if err != nil {
		return err
	}
	modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(goMod)), nil
	})
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := slices.DeleteFunc(strings.Split(strings.TrimSpace(string(data)), "\n"), func(l string) bool {
		return strings.HasPrefix(l, rootModule+" ")
	})
	lines = append(lines,
		fmt.Sprintf("%s %s %s", rootModule, version, zipHash),
		fmt.Sprintf("%s %s/go.mod %s", rootModule, version, modHash))
	return os.WriteFile(path, []byte(strings.Join(sortGoSum(lines), "\n")+"\n"), 0o644)
}

// sortGoSum sorts go.sum lines in the go command's order: by module path,
// then semantic version, the /go.mod line after the module's.
func sortGoSum(lines []string) []string {
	byVersion := map[module.Version]string{}
	var vs []module.Version
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		v := module.Version{Path: f[0], Version: f[1]}
		byVersion[v] = l
		vs = append(vs, v)
	}
	module.Sort(vs)
	sorted := make([]string, len(vs))
	for i, v := range vs {
		sorted[i] = byVersion[v]
	}
	return sorted
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

// goCmd runs the go command with the release's environment in dir.
func (r *release) goCmd(dir string, extraEnv []string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(slices.Clone(r.env), extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// TestModuleGraph checks, without a workspace and without building, that
// the published modules resolve: the root module's graph holds no
// golangci-lint, and this module's (as released) resolves, verifies and
// is tidy.
func TestModuleGraph(t *testing.T) {
	r := stage(t)
	if _, err := requiredRoot("go.mod"); err != nil {
		t.Fatal(err)
	}
	root, err := r.goCmd("..", nil, "list", "-m", "all")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(root, golangciLint+" ") {
		t.Errorf("the root module's graph holds golangci-lint: golangci-lint custom would raise a team's linters to its versions\n%s", root)
	}
	dir := filepath.Join(r.dir, "gclplugin") // this module with the release's go.sum
	all, err := r.goCmd(dir, nil, "list", "-m", "all")
	if err != nil {
		t.Fatal(err)
	}
	if want := rootModule + " " + r.version + "\n"; !strings.Contains(all, want) || strings.Contains(all, "=>") {
		t.Errorf("go list -m all in %s: want %q and no replacement\n%s", pluginModule, want, all)
	}
	if out, err := r.goCmd(dir, nil, "mod", "verify"); err != nil || !strings.Contains(out, "all modules verified") {
		t.Errorf("go mod verify in %s: %v\n%s", pluginModule, err, out)
	}
	// Untidy, the binary would be built with versions no go mod tidy picks
	// (it once missed x/tools, and so x/tools' requirements).
	if out, err := r.goCmd(dir, nil, "mod", "tidy", "-diff"); err != nil {
		t.Errorf("%s's go.mod or go.sum is not tidy (run go mod tidy against the release, docs/release.md step 3):\n%s", pluginModule, out)
	}
}

// TestGoInstall installs the release's three commands as the install docs
// say, go install <package>@<version> outside any module, and checks that
// each names queuefix's version.
func TestGoInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds golangci-lint")
	}
	r := stage(t)
	bin := filepath.Join(r.dir, "bin")
	for _, pkgs := range [][]string{
		{rootModule + "/cmd/queuefix", rootModule + "/cmd/queuefix-vet"},
		{binaryPkg},
	} {
		args := []string{"install"}
		for _, p := range pkgs {
			args = append(args, p+"@"+r.version)
		}
		if _, err := r.goCmd(t.TempDir(), []string{"GOBIN=" + bin}, args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ cmd, flag, want string }{
		{"queuefix", "-version", "queuefix " + r.version + " go"},
		{"golangci-lint-queuefix", "--version", "queuefix has version " + r.version + " "},
	} {
		out, err := exec.Command(filepath.Join(bin, tc.cmd), tc.flag).CombinedOutput()
		if err != nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s %s: %v, want %q in\n%s", tc.cmd, tc.flag, err, tc.want, out)
		}
	}
	out, err := exec.Command(filepath.Join(bin, "queuefix-vet"), "-V=full").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), filepath.Join(bin, "queuefix-vet")+" version ") {
		t.Errorf("queuefix-vet -V=full: %v\n%s", err, out)
	}
}
