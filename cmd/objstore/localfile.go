package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strings"

	objstore "github.com/objstore-dev/objstore"
)

// openLocal opens a local file to upload as key (for op: "put", "cp")
// and returns its size. "-" is
// stdin, whose size is known only when it is redirected from a file.
// A read of stdin that waits (an idle pipe, a terminal) returns ctx's
// error as soon as ctx ends: on SIGINT the put fails at once and removes
// what it had written, instead of the command exiting in the middle.
func (a *app) openLocal(ctx context.Context, op, key, name string) (r io.Reader, size int64, closeFn func(), err error) {
	if name == "-" {
		size := stdinSize(a.in)
		if size >= 0 {
			return a.in, size, func() {}, nil // a file: reads do not wait
		}
		return &cancelReader{ctx: ctx, r: a.in}, -1, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, &localFileError{op: op, key: key, path: name, verb: "reading", err: err}
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, nil, &localFileError{op: op, key: key, path: name, verb: "reading", err: err}
	}
	if fi.IsDir() {
		_ = f.Close()
		return nil, 0, nil, usagef("%s %q: %s is a directory: objstore uploads one file at a time", op, key, name)
	}
	size = -1
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return f, size, func() { _ = f.Close() }, nil
}

// guessContentType returns the MIME type of a file name's extension, or ""
// (the store's default, application/octet-stream).
func guessContentType(name string) string {
	if name == "" || name == "-" {
		return ""
	}
	return mime.TypeByExtension(filepath.Ext(name))
}

// localTarget is the file that a download of key to dest writes: dest,
// or inside dest when it is a directory (or ends with a separator), the
// key's last segment.
func localTarget(dest, key string) string {
	if dest == "" {
		return path.Base(key)
	}
	if strings.HasSuffix(dest, string(os.PathSeparator)) || strings.HasSuffix(dest, "/") {
		return filepath.Join(dest, path.Base(key))
	}
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		return filepath.Join(dest, path.Base(key))
	}
	return dest
}

// writeLocal writes the file name atomically with what fill writes: into
// a temporary file in the same directory, synced, then moved to name, so
// that name is either its old self (or absent) or the complete new
// content, never a part. When fill fails, name is left as it was and the
// temporary file is removed. Missing parent directories are created.
//
// With replace false an existing name is not overwritten: the temporary
// file is hard-linked to name, which fails if name appeared meanwhile
// (where the file system has no hard links, the check is made just before
// a rename instead). Errors of the local file system are *localFileError
// naming op, key and name, never the temporary file.
func writeLocal(op, key, name string, replace bool, fill func(w io.Writer) error) (err error) {
	fail := func(err error) error { return &localFileError{op: op, key: key, path: name, verb: "writing", err: err} }
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".objstore-*")
	if err != nil {
		return fail(err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = fill(&fileWriter{f: tmp, fail: fail}); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return fail(err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err = tmp.Close(); err != nil {
		return fail(err)
	}
	if replace {
		if err = os.Rename(tmp.Name(), name); err != nil {
			return fail(err)
		}
		return nil
	}
	if err = os.Link(tmp.Name(), name); err == nil {
		_ = os.Remove(tmp.Name())
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return existsError(op, key, name)
	}
	// No hard links here (some FUSE and network file systems).
	if _, serr := os.Lstat(name); serr == nil {
		return existsError(op, key, name)
	}
	if err = os.Rename(tmp.Name(), name); err != nil {
		return fail(err)
	}
	return nil
}

// existsError refuses to overwrite the local file name.
func existsError(op, key, name string) error {
	return &localFileError{op: op, key: key, path: name, kind: objstore.ErrExist,
		err: errors.New("the file exists: nothing written (use --force to overwrite it, or name another FILE)")}
}

// fileWriter writes to f and reports a failed write as a failure of the
// file the user named (fail), not of the temporary file.
type fileWriter struct {
	f    *os.File
	fail func(error) error
}

func (w *fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = w.fail(err)
	}
	return n, err
}

// localFileError is a failure of a local file in a transfer: it names the
// operation, the key and the file as the user named it, and gives the
// system's reason (ENOENT, EACCES, ENOSPC, ...) without the path the
// system call used, which may be a temporary file.
type localFileError struct {
	op, key, path string
	verb          string // "reading" or "writing"; empty for a complete message in err
	kind          error  // a sentinel for --json's kind, or nil (derived from err)
	err           error
}

func (e *localFileError) Error() string {
	msg := fmt.Sprintf("%s %q: ", e.op, e.key)
	if e.verb != "" {
		msg += e.verb + " "
	}
	return msg + e.path + ": " + systemReason(e.err)
}

func (e *localFileError) Unwrap() []error {
	kind := e.kind
	switch {
	case kind != nil:
	case errors.Is(e.err, fs.ErrNotExist):
		kind = objstore.ErrNotFound
	case errors.Is(e.err, fs.ErrPermission):
		kind = objstore.ErrPermission
	case errors.Is(e.err, fs.ErrExist):
		kind = objstore.ErrExist
	}
	if kind == nil {
		return []error{e.err}
	}
	return []error{kind, e.err}
}

// systemReason is the text of err without the file name that os puts in
// a *PathError or *LinkError.
func systemReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// cancelReader reads r, but a Read that is still waiting when ctx ends
// returns ctx's error. A blocked read of a pipe or a terminal cannot be
// interrupted, so each Read runs in a goroutine of its own, into a buffer
// of its own; one abandoned on cancellation stays blocked until the
// process exits, which it does next, and no later Read is started.
type cancelReader struct {
	ctx     context.Context
	r       io.Reader
	buf     []byte
	pending chan readResult // the read in flight after a cancellation, or nil
}

type readResult struct {
	n   int
	err error
}

func (c *cancelReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.pending != nil {
		return 0, c.ctx.Err() // unreachable: pending is set only on cancellation
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	buf := c.buf[:len(p)]
	done := make(chan readResult, 1)
	go func() {
		n, err := c.r.Read(buf)
		done <- readResult{n, err}
	}()
	select {
	case res := <-done:
		copy(p, buf[:res.n])
		return res.n, res.err
	case <-c.ctx.Done():
		c.pending, c.buf = done, nil // the goroutine still owns buf
		return 0, c.ctx.Err()
	}
}
