package load

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// A warm stamp lets auto skip its listing when nothing changed since an
// export load of the same packages finished: go list -export left every
// package it compiled in the build cache, so the next export load
// compiles nothing, and may even skip go list -export (listsave.go). Asking go list costs about a third of a warm run's
// CPU (it reads every file of the graph to tell what is stale); reading
// the go env and the file sizes and times of one module costs little.
//
// A stamp is one file in the user's cache directory, named after the go
// env and the request, holding the fingerprint of the module's files. It
// expires after warmFor: the go command trims cache entries unused for
// five days. go clean -cache goes unseen: the next export load then
// compiles again, as -load=export would, and the output is the same.
type warmStamp struct {
	path  string            // of the stamp; "" when there is none to keep
	files string            // the fingerprint of the module's files
	root  string            // the module's directory
	goenv map[string]string // go env, for the saved listing (listsave.go)
}

// warmFor is how long a stamp holds.
const warmFor = 24 * time.Hour

// newWarmStamp fingerprints the request in its environment, or returns a
// stamp with no path for a GOPATH tree or a workspace, whose files are
// not under one module root.
func (req loadReq) newWarmStamp() warmStamp {
	root := findUp(req.dir, "go.mod")
	if root == "" || findUp(req.dir, "go.work") != "" || envValue(req.env, "GOWORK") != "" {
		return warmStamp{}
	}
	cache := cacheDir(req.env)
	if cache == "" {
		return warmStamp{}
	}
	cmd := exec.Command("go", "env")
	cmd.Dir, cmd.Env = req.dir, req.env
	env, err := cmd.Output()
	if err != nil {
		return warmStamp{}
	}
	files, err := fingerprint(root)
	if err != nil {
		return warmStamp{}
	}
	key := sha256.New()
	fmt.Fprintf(key, "%s\n%v\n%q\n%q\n", req.dir, req.opts.Tests, req.flags, req.patterns)
	goenv := make(map[string]string)
	for _, line := range strings.Split(string(env), "\n") {
		if !strings.HasPrefix(line, "GOGCCFLAGS=") { // names a new temporary directory every time
			fmt.Fprintln(key, line)
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			goenv[k] = strings.Trim(v, `'"`)
		}
	}
	name := hex.EncodeToString(key.Sum(nil))
	return warmStamp{path: filepath.Join(cache, "warm", name), files: files, root: root, goenv: goenv}
}

// cacheDir is where queuefix keeps its stamps: $QUEUEFIX_CACHE, or
// queuefix in the user's cache directory; "" for none
// (QUEUEFIX_CACHE=off, or no cache directory).
func cacheDir(env []string) string {
	switch dir := envValue(env, "QUEUEFIX_CACHE"); dir {
	case "off":
		return ""
	case "":
		cache, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(cache, "queuefix")
	default:
		return dir
	}
}

// fingerprint hashes the name, size and modification time of every file
// under root that the go command may read: directories it ignores
// (testdata, and names starting with . or _) are left out.
func fingerprint(root string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// warm reports whether an export load left the stamp, with these files,
// less than warmFor ago.
func (w warmStamp) warm() bool {
	if w.path == "" {
		return false
	}
	info, err := os.Stat(w.path)
	if err != nil || time.Since(info.ModTime()) > warmFor {
		return false
	}
	data, err := os.ReadFile(w.path)
	return err == nil && string(data) == w.files
}

// keep records that an export load of the fingerprinted files finished.
// A stamp that cannot be written costs the next run its listing only.
func (w warmStamp) keep() {
	if w.path == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(w.path), 0o755); err != nil {
		return
	}
	tmp := fmt.Sprintf("%s.%d.tmp", w.path, os.Getpid())
	if err := os.WriteFile(tmp, []byte(w.files), 0o644); err != nil {
		return
	}
	if os.Rename(tmp, w.path) != nil {
		os.Remove(tmp)
	}
	trim(filepath.Dir(w.path))
}

// trim removes expired stamps, at most once per warmFor, as the go
// command trims its cache: a fleet run leaves a stamp per repository.
func trim(dir string) {
	mark := filepath.Join(dir, "trimmed")
	if info, err := os.Stat(mark); err == nil && time.Since(info.ModTime()) < warmFor {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && info.Mode().IsRegular() && e.Name() != "trimmed" && time.Since(info.ModTime()) > warmFor {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	os.WriteFile(mark, nil, 0o644)
}
