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
// directory and a rename, keeping the file's mode, and refuses when the
// file no longer holds the bytes queuefix loaded.
func writeFile(f rewrite.File) error {
	info, err := os.Stat(f.Path)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	current, err := os.ReadFile(f.Path)
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if !bytes.Equal(current, f.Old) {
		return fmt.Errorf("write %s: file changed since queuefix loaded it; not written, run queuefix again", f.Path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), "."+filepath.Base(f.Path)+".queuefix-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := writeAndClose(tmp, f.New, info.Mode().Perm()); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
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
