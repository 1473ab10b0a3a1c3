package main

import (
	"context"
	"io"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// openLocal opens a local file to upload and returns its size. "-" is
// stdin, whose size is known only when it is redirected from a file.
// A read of stdin that waits (an idle pipe, a terminal) returns ctx's
// error as soon as ctx ends: on SIGINT the put fails at once and removes
// what it had written, instead of the command exiting in the middle.
func (a *app) openLocal(ctx context.Context, name string) (r io.Reader, size int64, closeFn func(), err error) {
	if name == "-" {
		size := stdinSize(a.in)
		if size >= 0 {
			return a.in, size, func() {}, nil // a file: reads do not wait
		}
		return &cancelReader{ctx: ctx, r: a.in}, -1, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, nil, err
	}
	if fi.IsDir() {
		_ = f.Close()
		return nil, 0, nil, usagef("%s is a directory: objstore uploads one file at a time", name)
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
// a temporary file in the same directory, synced, then renamed over name,
// so that name is either its old self or the complete new content, never
// a part. When fill fails, name is left as it was.
func writeLocal(name string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(name)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".objstore-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
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
