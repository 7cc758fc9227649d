package rewrite

import (
	"errors"
	goscanner "go/scanner"
	"go/token"
	"go/types"
	"io/fs"
	"strconv"
)

// A Cause is an error a finding quotes (the edit that does not type-check,
// the file that cannot be read again) with the place in code it names
// kept apart from its words, as go/analysis keeps a diagnostic's related
// positions: each output spells the file the way its readers expect
// (relative to the working directory, to the repository root, or as go
// vet prints it), and none has to find paths inside text.
type Cause struct {
	Pos  token.Position // Filename is absolute; Line is 0 when the cause is the whole file
	Text string
}

// Format spells the cause with file(Pos.Filename) for the file:
// "file:line:col: text", "file text" for a whole file, or the text alone
// when it names no file.
func (c *Cause) Format(file func(string) string) string {
	if c.Pos.Filename == "" {
		return c.Text
	}
	pos := c.Pos
	pos.Filename = file(pos.Filename)
	if !pos.IsValid() {
		return pos.Filename + " " + c.Text
	}
	return pos.String() + ": " + c.Text
}

// Error spells the cause with the absolute path.
func (c *Cause) Error() string { return c.Format(func(name string) string { return name }) }

// Text returns what the finding says, with file(path) spelling each path
// its cause names (see Cause.Format).
func (f Finding) Text(file func(string) string) string {
	if f.Cause == nil {
		return f.Message
	}
	return f.Message + f.Cause.Format(file)
}

// readCause turns an error reading file name again into a cause.
func readCause(name string, err error) *Cause {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Cause{Pos: token.Position{Filename: name}, Text: "cannot be read: " + err.Error()}
}

// editCause turns an error verifying an edit into a cause: the first
// error of a file that does not parse, or the type error of a call.
func editCause(fset *token.FileSet, err error) *Cause {
	var list goscanner.ErrorList
	var terr types.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		c := &Cause{Pos: list[0].Pos, Text: list[0].Msg}
		if len(list) > 1 {
			c.Text += " (and " + strconv.Itoa(len(list)-1) + " more errors)"
		}
		return c
	case errors.As(err, &terr):
		return &Cause{Pos: fset.Position(terr.Pos), Text: terr.Msg}
	}
	return &Cause{Text: err.Error()}
}
