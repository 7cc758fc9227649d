package load

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A warm run of an unchanged module still paid for go list -export: it
// reads every file of the graph to tell that nothing is stale, a fifth
// of a warm run's CPU. So when the warm stamp holds, the export load
// lists itself, as go/packages would, and saves the listing beside the
// stamp; the next run with the same stamp reads it instead of running
// go list. The listing stands for go list's answer only while its
// inputs are the fingerprinted ones: the module's files (the stamp), the
// go env (the stamp's name), and files the go command never changes in
// place (GOROOT, the module cache, the build cache's export files,
// named after their contents, which must still be there).

// exportFields are the fields of go list the own export load reads.
const exportFields = "ImportPath,Name,Dir,GoFiles,CgoFiles,CompiledGoFiles,Export,Imports,ImportMap,DepOnly,Module,Error,DepsErrors"

// exportListArgs are go/packages' go list flags for loadMode: the same
// graph, the same test variants, the same export files.
func exportListArgs(tests bool, flags, patterns []string) []string {
	args := []string{"list", "-e", "-json=" + exportFields, "-compiled=true", "-test=" + strconv.FormatBool(tests),
		"-export=true", "-deps=true", "-find=false", "-buildvcs=false", "-pgo=off"}
	args = append(args, flags...)
	return append(append(args, "--"), patterns...)
}

// exportList runs go list -export as go/packages does, in the same
// environment, and returns the listing and go list's JSON.
func (req loadReq) exportList() (*listing, []byte, error) {
	cmd := exec.Command("go", exportListArgs(req.opts.Tests, req.flags, req.patterns)...)
	cmd.Dir = req.dir
	cmd.Env = append(append([]string(nil), req.env...), "PWD="+req.dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	l, err := decodeListing(out)
	return l, out, err
}

// listingPath is where the listing of the stamp's export load is saved.
func (w warmStamp) listingPath() string {
	return w.path + ".list"
}

// savedListing returns the listing saved for this stamp, or nil and why
// it cannot stand for go list.
func (w warmStamp) savedListing() (*listing, string) {
	info, err := os.Stat(w.listingPath())
	if err != nil {
		return nil, "no saved listing"
	}
	if time.Since(info.ModTime()) > warmFor {
		return nil, "the saved listing is older than " + warmFor.String()
	}
	data, err := os.ReadFile(w.listingPath())
	if err != nil {
		return nil, "the saved listing: " + err.Error()
	}
	files, out, ok := bytes.Cut(data, []byte("\n"))
	if !ok || string(files) != w.files {
		return nil, "the saved listing is of other files"
	}
	l, err := decodeListing(out)
	if err != nil {
		return nil, "the saved listing: " + err.Error()
	}
	if why := w.outside(l); why != "" {
		return nil, why
	}
	if why := l.gone(); why != "" {
		return nil, why
	}
	return l, ""
}

// saveListing saves go list's JSON for the next run with this stamp,
// after the fingerprint it was made under (taken before go list ran, so
// the listing is at least as new). It returns why not, or "".
func (w warmStamp) saveListing(l *listing, out []byte) string {
	if w.path == "" {
		return "no stamp"
	}
	if why := w.outside(l); why != "" {
		return why
	}
	if err := os.MkdirAll(filepath.Dir(w.path), 0o755); err != nil {
		return err.Error()
	}
	path := w.listingPath()
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	data := append([]byte(w.files+"\n"), out...)
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err.Error()
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err.Error()
	}
	return ""
}

// outside returns why a package of the listing lies outside what the
// stamp vouches for, or "": every package must be in GOROOT, the module
// cache, or the module's fingerprinted files (a replace to a directory
// beside the module is not).
func (w warmStamp) outside(l *listing) string {
	roots := []string{w.root, w.goenv["GOROOT"], w.goenv["GOMODCACHE"]}
	for _, p := range l.pkgs {
		if !w.vouchesFor(p.Dir, roots) {
			return fmt.Sprintf("%s is in %s, outside the module, GOROOT and the module cache", p.ImportPath, p.Dir)
		}
	}
	return ""
}

// vouchesFor reports whether dir is under one of roots, and, under the
// module's root, in a directory the fingerprint reads.
func (w warmStamp) vouchesFor(dir string, roots []string) bool {
	for i, root := range roots {
		if root == "" || !filepath.IsAbs(dir) {
			continue
		}
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if i > 0 || rel == "." {
			return true
		}
		return fingerprinted(rel)
	}
	return false
}

// fingerprinted reports whether the fingerprint walks the directory rel
// (relative to the module root): it skips testdata and names starting
// with . or _.
func fingerprinted(rel string) bool {
	for _, name := range strings.Split(rel, string(filepath.Separator)) {
		if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return false
		}
	}
	return true
}

// gone returns why a file the go command wrote for the listing is no
// longer there, or "": an export file, or a test main's source, both in
// the build cache, which the go command trims.
func (l *listing) gone() string {
	for _, p := range l.pkgs {
		files := []string{p.exportFile()}
		if !p.DepOnly {
			files = append(files, p.compiledFiles()...)
		}
		for _, f := range files {
			if f == "" {
				continue
			}
			if _, err := os.Stat(f); err != nil {
				return fmt.Sprintf("%s of %s is gone", f, p.ImportPath)
			}
		}
	}
	return ""
}

// exportFile returns the package's export data file, as go/packages
// reads it.
func (p *listed) exportFile() string {
	if p.Export != "" && !filepath.IsAbs(p.Export) {
		return filepath.Join(p.Dir, p.Export)
	}
	return p.Export
}

// goFiles returns the package's GoFiles as go/packages does: GoFiles and
// CgoFiles, absolute.
func (p *listed) goFiles() []string {
	var out []string
	for _, name := range append(append([]string(nil), p.GoFiles...), p.CgoFiles...) {
		out = append(out, absFile(p.Dir, name))
	}
	return out
}

// compiledFiles returns the files go/packages type-checks: the Go files
// of CompiledGoFiles, or GoFiles when go list gives none; none for unsafe.
func (p *listed) compiledFiles() []string {
	if p.ImportPath == "unsafe" {
		return nil
	}
	var out []string
	for _, name := range p.CompiledGoFiles {
		if ext := filepath.Ext(name); ext != ".go" && ext != "" {
			continue // assembly and C that go list lists there too
		}
		out = append(out, absFile(p.Dir, name))
	}
	if len(out) == 0 {
		return p.goFiles()
	}
	return out
}
