package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/queuefix/queuefix/rewrite"
)

// writeFiles writes each changed file in place. A failure is reported and
// the other files are still written: each write is atomic on its own.
func (p *printer) writeFiles() {
	for _, f := range p.res.Files {
		if err := writeFile(f); err != nil {
			p.failed = true
			fmt.Fprintf(p.stderr, "queuefix: %v\n", p.relText(err.Error()))
		}
	}
}

// writeFile replaces f.Path with f.New through a temporary file in the same
// directory and a rename, keeping the file's mode. It refuses when the file
// no longer holds the bytes queuefix loaded, and when the file is not
// writable: the rename would succeed anyway and silently undo a read-only
// bit that gofmt -w, which writes in place, respects. A symbolic link is
// written through, as gofmt does, rather than replaced by a regular file.
func writeFile(f rewrite.File) error {
	path, err := filepath.EvalSymlinks(f.Path)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := checkWritable(path, info); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	current, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if !bytes.Equal(current, f.Old) {
		return fmt.Errorf("write %s: file changed since queuefix loaded it; not written, run queuefix again", f.Path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".queuefix-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := writeAndClose(tmp, f.New, info.Mode().Perm()); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return nil
}

func writeAndClose(tmp *os.File, data []byte, mode os.FileMode) error {
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	return tmp.Close()
}

// checkWritable reports an error unless path could be opened for writing.
// It checks the owner's write bit too, because root may open any file.
func checkWritable(path string, info os.FileInfo) error {
	if info.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("file is read-only (mode %#o); not written, make it writable to apply the changes", info.Mode().Perm())
	}
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("%w; not written", err)
	}
	return w.Close()
}
