package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// defaultJobs is the number of transfers that cp -r and mirror run at once.
const defaultJobs = 4

// streamCopyBuffer is the size of one chunk written when a stream object
// is copied to another store: each Write of a stream writer is a chunk.
const streamCopyBuffer = 8 << 20

// treeOptions tunes a tree copy (cp -r, mirror). The zero value (but for
// jobs, which must be set) copies everything and removes nothing.
type treeOptions struct {
	op     string // "cp" or "mirror", for messages
	jobs   int
	dryRun bool
	remove bool // delete destination entries absent from the source
	// compare skips the objects and files whose destination is up to
	// date (upToDate): mirror, unless --overwrite. cp -r copies all.
	compare bool
}

// treeSide is one operand of cp -r or mirror: a prefix in a store, or a
// local directory.
type treeSide struct {
	url    string // the store; "" for a local directory
	prefix string // "" (the whole store) or ending in "/"
	dir    string // the local directory
}

func (s treeSide) isStore() bool { return s.url != "" }

func (s treeSide) String() string {
	if s.isStore() {
		return showURL(s.url) + "#" + s.prefix
	}
	return s.dir
}

// name is the object or file that the relative name rel is on this side,
// as shown to the user.
func (s treeSide) name(rel string) string {
	if s.isStore() {
		return showURL(s.url) + "#" + s.prefix + rel
	}
	return filepath.Join(s.dir, filepath.FromSlash(rel))
}

// parseTreeSide reads an operand of cp -r or mirror, with cp's syntax:
//
//	SCHEME://STORE#PREFIX  the keys under PREFIX in that store (no '#' or
//	                       an empty PREFIX: the whole store)
//	:PREFIX                the keys under PREFIX in the store of --url
//	                       (':' alone: the whole store)
//	anything else          a local directory
//
// A PREFIX is a folder: "caps" means "caps/", so that "caps" never
// takes in "capsule/x".
func (a *app) parseTreeSide(op, s string) (treeSide, error) {
	var side treeSide
	switch {
	case s == "-":
		return side, usagef("%s: '-' (stdin, stdout) is one object: a tree copy reads and writes directories and prefixes", op)
	case strings.HasPrefix(s, ":"):
		side = treeSide{url: a.storeURL(), prefix: s[1:]}
	case strings.Contains(s, "://"):
		u, p, _ := strings.Cut(s, "#")
		side = treeSide{url: u, prefix: p}
	default:
		return treeSide{dir: s}, nil
	}
	if side.prefix != "" {
		if err := backend.ValidatePrefix(op, side.prefix); err != nil {
			return side, err
		}
		if !strings.HasSuffix(side.prefix, "/") {
			side.prefix += "/"
		}
	}
	return side, nil
}

func (a *app) mirrorCommand() *cobra.Command {
	opts := treeOptions{op: "mirror", compare: true}
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "mirror SRC DST",
		Short: "Make a prefix or a local directory a copy of another",
		Long: `mirror copies every object under a prefix, or every file under a local
directory, to another prefix or directory, unless the destination has it
up to date, and with --remove also deletes what the destination holds
that the source does not: a true mirror (cp -r copies everything). Each of SRC and DST is one of:

  SCHEME://STORE#PREFIX  the keys under PREFIX in the store the URL names
                         (no '#', or nothing after it: the whole store)
  :PREFIX                the keys under PREFIX in the store of --url
  PATH                   a local directory

The contents of SRC go under DST: the object PREFIX/a/b of SRC becomes
DST/a/b. Both sides in one store (the same URL): the store copies the
bytes itself. An object or file whose destination has the same size
and is not older (times compared to the second) is up to date and not
copied again, so a second mirror of an unchanged tree copies nothing;
--overwrite copies everything. Stream objects are copied as streams; one
whose writer is still open is skipped with a warning. Keys that objstore would not write
(listed from stores other tools filled) are skipped: folder objects
("photos/") silently, others with a warning. A failed transfer is
reported and the others go on; the command exits 1 if any failed or was
skipped, after a summary.`,
		Example: `  objstore mirror ./captures :captures/
  objstore mirror --remove 'file:///srv/old#captures' 'minio://k:s@host:9000/pktcap#captures'
  objstore mirror --dry-run --remove :captures ./restore`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.compare = !overwrite
			return a.copyTree(cmd, args[0], args[1], opts)
		},
	}
	treeFlags(cmd, &opts)
	cmd.Flags().BoolVar(&opts.remove, "remove", false, "delete destination objects or files that the source does not have")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "copy every object, also those whose destination is up to date (same size, not older)")
	return cmd
}

// treeFlags adds the flags that cp -r and mirror share.
func treeFlags(cmd *cobra.Command, opts *treeOptions) {
	cmd.Flags().IntVarP(&opts.jobs, "jobs", "j", defaultJobs, "number of transfers at a time")
	cmd.Flags().BoolVarP(&opts.dryRun, "dry-run", "n", false, "print what would be copied or removed; change nothing")
}

// treeItem is one object, stream object or file of a tree copy's source,
// named relative to the source's prefix or directory.
type treeItem struct {
	rel    string // slash-separated
	size   int64
	mtime  time.Time // last modified: the file's, the object's, a stream's newest chunk's
	stream bool
	meta   map[string]string // a stream's metadata (of its first chunk)
	ctype  string
}

// treeRun is the state of one tree copy.
type treeRun struct {
	a        *app
	opts     treeOptions
	cmdPath  string
	src, dst treeSide
	srcC     *objstore.Client // nil for a local directory
	dstC     *objstore.Client // nil for a local directory or a dry run on a missing store
	same     bool             // one store: server-side copies

	mu       sync.Mutex
	files    int
	bytes    int64
	failed   int
	skipped  int
	removed  int
	upToDate int // not copied: the destination is up to date (compare)
	progress *meter
}

// copyTree runs cp -r or mirror from the operands srcArg to dstArg.
func (a *app) copyTree(cmd *cobra.Command, srcArg, dstArg string, opts treeOptions) (err error) {
	op := opts.op
	if opts.jobs < 1 {
		return usagef("%s: --jobs %d: want 1 or more transfers at a time", op, opts.jobs)
	}
	src, err := a.parseTreeSide(op, srcArg)
	if err != nil {
		return err
	}
	dst, err := a.parseTreeSide(op, dstArg)
	if err != nil {
		return err
	}
	same := src.isStore() && dst.isStore() && src.url == dst.url
	if !src.isStore() && !dst.isStore() {
		return usagef("%s %s %s: neither side is a store (write :PREFIX or URL#PREFIX for one)", op, srcArg, dstArg)
	}
	if same && src.prefix == dst.prefix {
		return usagef("%s %s %s: source and destination are the same prefix of one store", op, srcArg, dstArg)
	}
	ctx := cmd.Context()
	t := &treeRun{a: a, opts: opts, cmdPath: cmd.CommandPath(), src: src, dst: dst, same: same}

	if src.isStore() {
		if t.srcC, err = a.openStore(ctx, op, src.url, existingStore); err != nil {
			return err
		}
		defer closeWith(t.srcC, &err)
	} else if fi, err := os.Stat(src.dir); err != nil {
		return localPathError(op, "reading", src.dir, err)
	} else if !fi.IsDir() {
		return usagef("%s: %s is not a directory: copy one file with 'objstore cp FILE :KEY'", op, src.dir)
	}
	switch {
	case same:
		t.dstC = t.srcC
	case dst.isStore():
		mode := createStore
		if opts.dryRun {
			mode = existingStore // a dry run creates nothing
		}
		t.dstC, err = a.openStore(ctx, op, dst.url, mode)
		var ce *cmdError
		if opts.dryRun && errors.As(err, &ce) && errors.Is(err, objstore.ErrNotFound) {
			err = nil // a missing file:// store: empty, it would be created
		}
		if err != nil {
			return err
		}
		if t.dstC != nil {
			defer closeWith(t.dstC, &err)
		}
	}

	items, keep, err := t.listSource(ctx)
	if err != nil {
		return err
	}
	if opts.compare {
		if items, err = t.outdated(ctx, items); err != nil {
			return err
		}
	}
	t.transferAll(ctx, items)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if opts.remove {
		if err := t.removeAbsent(ctx, keep); err != nil {
			return err
		}
	}
	return t.summary()
}

// localPathError is the failure of a local file or directory that is no
// object's: it names the operation and the path, and matches the
// sentinel of the system's reason (ErrNotFound, ErrPermission).
func localPathError(op, verb, p string, err error) error {
	return &cmdError{op: op, msg: verb + " " + p + ": " + systemReason(err), kind: &localFileError{op: op, path: p, err: err}}
}

// warn prints one warning line on stderr (also with --quiet: it says that
// the copy is not complete).
func (t *treeRun) warn(format string, args ...any) {
	if t.a.asJSON {
		_ = json.NewEncoder(t.a.errw).Encode(map[string]any{"warning": "objstore: " + fmt.Sprintf(format, args...)})
		return
	}
	fprintf(t.a.errw, "objstore: warning: "+format+"\n", args...)
}

// fail reports the failure of one transfer and counts it.
func (t *treeRun) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed++
	reportError(t.a.errw, err, exitFailure, t.a.asJSON, "")
}

func (t *treeRun) skip(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.skipped++
	t.warn(format, args...)
}

// listSource lists what is to be copied, and every name the source holds
// (skipped ones included), which --remove keeps at the destination.
func (t *treeRun) listSource(ctx context.Context) ([]treeItem, map[string]bool, error) {
	var items []treeItem
	keep := map[string]bool{}
	if !t.src.isStore() {
		err := filepath.WalkDir(t.src.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == t.src.dir {
					return localPathError(t.opts.op, "reading", p, err)
				}
				t.skip("%s: reading %q: %s: skipped", t.opts.op, p, systemReason(err))
				return nil
			}
			if d.IsDir() {
				return nil
			}
			rel, rerr := filepath.Rel(t.src.dir, p)
			if rerr != nil {
				return rerr
			}
			rel = filepath.ToSlash(rel)
			keep[rel] = true
			key := t.dst.prefix + rel
			size, mtime := int64(0), time.Time{}
			switch {
			case d.Type().IsRegular():
				if fi, err := d.Info(); err == nil {
					size, mtime = fi.Size(), fi.ModTime()
				}
			case d.Type()&fs.ModeSymlink != 0:
				// A link to a file is copied as the file; one to a
				// directory is not followed (it may loop). A broken link
				// is a file that cannot be read: its transfer fails.
				if fi, err := os.Stat(p); err == nil {
					if !fi.Mode().IsRegular() {
						t.skip("%s: %q is a link to a directory or special file: skipped", t.opts.op, p)
						return nil
					}
					size, mtime = fi.Size(), fi.ModTime()
				}
			default:
				t.skip("%s: %q is not a regular file: skipped", t.opts.op, p)
				return nil
			}
			if t.dst.isStore() {
				if err := backend.ValidateKey("put", key); err != nil {
					t.skip("%s: %q: no object can have its name: %s: skipped", t.opts.op, p, strings.TrimPrefix(err.Error(), "objstore: "))
					return nil
				}
			}
			items = append(items, treeItem{rel: rel, size: size, mtime: mtime})
			return nil
		})
		return items, keep, err
	}
	err := t.walkStore(ctx, t.srcC, t.src.prefix, func(e objstore.Entry) error {
		rel := strings.TrimPrefix(e.Key, t.src.prefix)
		keep[rel] = true
		if e.IsStream {
			st, err := t.srcC.StatObject(ctx, e.Key)
			if err != nil {
				t.fail(fmt.Errorf("%s %q: %w", t.opts.op, e.Key, err))
				return nil
			}
			if st.InProgress {
				t.skip("%s: stream %q is in progress (its writer is open): skipped; copy it once it is closed", t.opts.op, e.Key)
				return nil
			}
			items = append(items, treeItem{rel: rel, size: st.Size, mtime: st.LastModified, stream: true, meta: st.Metadata, ctype: st.ContentType})
			return nil
		}
		if err := backend.ValidateKey("copy", e.Key); err != nil {
			if strings.HasSuffix(e.Key, "/") && e.Object.Size == 0 {
				return nil // a folder object: no data; its folder exists with its first key
			}
			t.skip("%s: %q was written by another tool: objstore cannot name it (%s): skipped", t.opts.op, e.Key, strings.TrimPrefix(err.Error(), "objstore: "))
			return nil
		}
		items = append(items, treeItem{rel: rel, size: e.Object.Size, mtime: e.Object.LastModified})
		return nil
	}, true)
	return items, keep, err
}

// walkStore calls fn for every object and stream object under prefix,
// one directory level at a time (Client.List tells streams from folders).
// With warn, a prefix that objstore cannot list (a foreign "a//") is
// skipped with a warning; without, silently.
func (t *treeRun) walkStore(ctx context.Context, c *objstore.Client, prefix string, fn func(objstore.Entry) error, warn bool) error {
	for e, err := range c.List(ctx, prefix, objstore.ListOptions{}) {
		if err != nil {
			return err
		}
		if !e.IsPrefix {
			if err := fn(e); err != nil {
				return err
			}
			continue
		}
		if e.Key == prefix {
			continue
		}
		if err := backend.ValidatePrefix("list", e.Key); err != nil {
			if warn {
				t.skip("%s: the keys under %q were written by another tool: objstore cannot list them: skipped", t.opts.op, e.Key)
			}
			continue
		}
		if err := t.walkStore(ctx, c, e.Key, fn, warn); err != nil {
			return err
		}
	}
	return nil
}

// outdated returns the items whose destination is not up to date (see
// upToDate), and counts the others. It lists the destination prefix once
// (a store) or stats each target file (a local directory); a stream at
// both sides costs one Stat of the destination's.
func (t *treeRun) outdated(ctx context.Context, items []treeItem) ([]treeItem, error) {
	var out []treeItem
	keep := func(it treeItem, dst treeItem, ok bool) {
		if ok && upToDate(it, dst) {
			t.upToDate++
			return
		}
		out = append(out, it)
	}
	if !t.dst.isStore() {
		for _, it := range items {
			fi, err := os.Stat(t.dst.name(it.rel))
			ok := err == nil && fi.Mode().IsRegular()
			var dst treeItem
			if ok {
				dst = treeItem{size: fi.Size(), mtime: fi.ModTime(), stream: it.stream}
			}
			keep(it, dst, ok)
		}
		return out, nil
	}
	if t.dstC == nil {
		return items, nil // a dry run on a store that does not exist yet
	}
	have := map[string]objstore.Entry{}
	err := t.walkStore(ctx, t.dstC, t.dst.prefix, func(e objstore.Entry) error {
		have[strings.TrimPrefix(e.Key, t.dst.prefix)] = e
		return nil
	}, false)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		e, ok := have[it.rel]
		var dst treeItem
		switch {
		case !ok:
		case e.IsStream:
			st, err := t.dstC.StatObject(ctx, e.Key)
			// A stream in progress is never up to date: the transfer
			// then says that it cannot replace it.
			ok = err == nil && st.IsStream && !st.InProgress
			if ok {
				dst = treeItem{size: st.Size, mtime: st.LastModified, stream: true}
			}
		default:
			dst = treeItem{size: e.Object.Size, mtime: e.Object.LastModified}
		}
		keep(it, dst, ok)
	}
	return out, nil
}

// upToDate reports whether dst, what the destination holds at src's name,
// need not be copied again (mc mirror's rule): it has src's size and is
// not older than src, to the second (stores list times to the second or
// the millisecond; a copy is always made after its source). A stream and
// a plain object of a store are never up to date with each other; a local
// file is up to date with either.
func upToDate(src, dst treeItem) bool {
	if src.stream != dst.stream || src.size != dst.size || src.mtime.IsZero() || dst.mtime.IsZero() {
		return false
	}
	return !dst.mtime.Truncate(time.Second).Before(src.mtime.Truncate(time.Second))
}

// transferAll copies items with opts.jobs transfers at a time, one
// progress bar for all of them.
func (t *treeRun) transferAll(ctx context.Context, items []treeItem) {
	if t.opts.dryRun {
		for _, it := range items {
			t.report(it, it.size, "would copy")
			t.files++
			t.bytes += it.size
		}
		return
	}
	var total int64
	for _, it := range items {
		total += it.size
	}
	m := newMeter()
	r, finish := t.a.track(m, total, t.opts.op+" "+t.src.String())
	drained := make(chan struct{})
	if r != io.Reader(m) {
		t.progress = m
		go func() {
			_, _ = io.Copy(io.Discard, r)
			close(drained)
		}()
	} else {
		close(drained)
	}
	next := make(chan treeItem)
	var wg sync.WaitGroup
	for range min(t.opts.jobs, max(len(items), 1)) {
		wg.Go(func() {
			for it := range next {
				n, err := t.transfer(ctx, it)
				if err != nil {
					if ctx.Err() == nil {
						t.fail(err)
					}
					continue
				}
				t.mu.Lock()
				t.files++
				t.bytes += n
				t.mu.Unlock()
				t.report(it, n, "copied")
			}
		})
	}
feed:
	for _, it := range items {
		select {
		case next <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	m.close()
	<-drained
	finish(t.failed == 0 && ctx.Err() == nil)
}

// report prints one line per transfer with --json or a dry run.
func (t *treeRun) report(it treeItem, n int64, verb string) {
	from, to := t.src.name(it.rel), t.dst.name(it.rel)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.a.asJSON:
		_ = t.a.emit(map[string]any{"from": from, "to": to, "size": n, "stream": it.stream, "dry_run": t.opts.dryRun})
	case t.opts.dryRun:
		fprintf(t.a.out, "%s %s -> %s (%s)\n", verb, from, to, plural(n, "byte"))
	}
}

// transfer copies one item and returns the bytes written.
func (t *treeRun) transfer(ctx context.Context, it treeItem) (int64, error) {
	op := t.opts.op
	srcKey, dstKey := t.src.prefix+it.rel, t.dst.prefix+it.rel
	switch {
	case t.same:
		if it.stream {
			if err := t.freeStream(ctx, dstKey); err != nil {
				return 0, err
			}
		}
		info, err := t.srcC.CopyObject(ctx, srcKey, dstKey, objstore.CopyOptions{})
		if err != nil {
			return 0, err
		}
		t.progress.add(info.Size)
		return info.Size, nil

	case !t.src.isStore(): // a local file to a store
		name := t.src.name(it.rel)
		r, size, done, err := t.a.openLocal(ctx, op, dstKey, name)
		if err != nil {
			return 0, err
		}
		defer done()
		info, err := t.dstC.PutObjectWith(ctx, dstKey, t.progress.reader(r),
			backend.PutOptions{Size: size, ContentType: guessContentType(name)})
		if err != nil {
			return 0, fmt.Errorf("%s %s -> %s: %w", op, name, t.dst.name(it.rel), err)
		}
		return info.Size, nil
	}

	// From a store: open the object or the stream.
	var (
		rc   io.ReadCloser
		opts backend.PutOptions
		err  error
	)
	if it.stream {
		rc, err = t.srcC.OpenStream(ctx, srcKey, objstore.FirstChunk)
		opts = backend.PutOptions{Size: -1, ContentType: it.ctype, Metadata: it.meta}
	} else {
		var info backend.ObjectInfo
		rc, info, err = openObject(ctx, t.srcC, srcKey)
		opts = backend.PutOptions{Size: info.Size, ContentType: info.ContentType, Metadata: info.Metadata}
	}
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	r := t.progress.reader(rc)

	if !t.dst.isStore() { // to a local file
		target := t.dst.name(it.rel)
		var written int64
		err := writeLocal(op, srcKey, target, true, func(w io.Writer) error {
			var err error
			written, err = io.Copy(w, r)
			var le *localFileError
			if err != nil && !errors.As(err, &le) {
				err = fmt.Errorf("%s %q -> %s: %w", op, srcKey, target, err)
			}
			return err
		})
		if err == nil && opts.Size >= 0 && written != opts.Size {
			err = backend.NewError(op, srcKey, objstore.ErrUnavailable, fmt.Errorf("read %d of %d bytes", written, opts.Size))
		}
		return written, err
	}

	// To another store.
	if !it.stream {
		info, err := t.dstC.PutObjectWith(ctx, dstKey, r, opts)
		if err != nil {
			return 0, fmt.Errorf("%s %s -> %s: %w", op, t.src.name(it.rel), t.dst.name(it.rel), err)
		}
		return info.Size, nil
	}
	if err := t.freeStream(ctx, dstKey); err != nil {
		return 0, err
	}
	w, err := t.dstC.PutStreamObject(ctx, dstKey, it.meta)
	if err != nil {
		return 0, err
	}
	n, err := io.CopyBuffer(struct{ io.Writer }{w}, struct{ io.Reader }{r}, make([]byte, streamCopyBuffer))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("%s stream %s -> %s: %w", op, t.src.name(it.rel), t.dst.name(it.rel), err)
	}
	return n, nil
}

// freeStream removes the closed stream key at the destination, so that a
// stream copied again replaces it as an object's copy would (streams are
// copied only to free names). A stream in progress there is an error.
func (t *treeRun) freeStream(ctx context.Context, key string) error {
	st, err := t.dstC.StatObject(ctx, key)
	switch {
	case errors.Is(err, objstore.ErrNotFound):
		return nil
	case err != nil:
		return err
	case !st.IsStream:
		return nil // a plain object: CopyObject or the stream writer says ErrExist
	case st.InProgress:
		return &cmdError{op: t.opts.op, key: key, kind: objstore.ErrExist,
			msg: "a stream of that name is being written at the destination: not replaced"}
	}
	_, err = t.dstC.RemoveStream(ctx, key)
	return err
}

// removeAbsent deletes what the destination holds under its prefix or
// directory that the source does not (keep, by relative name).
func (t *treeRun) removeAbsent(ctx context.Context, keep map[string]bool) error {
	remove := func(name string, fn func() error) {
		if t.opts.dryRun {
			if t.a.asJSON {
				_ = t.a.emit(map[string]any{"remove": name, "dry_run": true})
			} else {
				fprintf(t.a.out, "would remove %s\n", name)
			}
			t.removed++
			return
		}
		if err := fn(); err != nil {
			t.fail(err)
			return
		}
		t.removed++
		if t.a.asJSON {
			_ = t.a.emit(map[string]any{"remove": name})
		}
	}
	if !t.dst.isStore() {
		err := filepath.WalkDir(t.dst.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == t.dst.dir && errors.Is(err, fs.ErrNotExist) {
					return nil // nothing there (a dry run)
				}
				return localPathError(t.opts.op, "reading", p, err)
			}
			if d.IsDir() {
				return nil
			}
			if base := d.Name(); strings.HasPrefix(base, ".") && strings.Contains(base, ".objstore-") {
				return nil // another writer's temporary file
			}
			rel, err := filepath.Rel(t.dst.dir, p)
			if err != nil || keep[filepath.ToSlash(rel)] {
				return err
			}
			remove(p, func() error {
				if err := os.Remove(p); err != nil {
					return localPathError(t.opts.op, "removing", p, err)
				}
				return nil
			})
			return nil
		})
		return err
	}
	if t.dstC == nil {
		return nil // a dry run on a store that does not exist yet
	}
	return t.walkStore(ctx, t.dstC, t.dst.prefix, func(e objstore.Entry) error {
		rel := strings.TrimPrefix(e.Key, t.dst.prefix)
		if keep[rel] || ctx.Err() != nil {
			return ctx.Err()
		}
		if backend.ValidateKey("remove", e.Key) != nil {
			return nil // a key objstore cannot name (see docs/foreign-keys.md)
		}
		remove(t.dst.name(rel), func() error {
			if e.IsStream {
				_, err := t.dstC.RemoveStream(ctx, e.Key)
				return err
			}
			return t.dstC.RemoveObject(ctx, e.Key)
		})
		return nil
	}, false)
}

// summary prints what was done; with failures or skipped keys it is an
// error (exit 1).
func (t *treeRun) summary() error {
	verb, removed := "copied", "removed"
	if t.opts.dryRun {
		verb, removed = "would copy", "would remove"
	}
	if t.a.asJSON {
		if err := t.a.emit(map[string]any{"files": t.files, "bytes": t.bytes, "up_to_date": t.upToDate, "removed": t.removed,
			"failed": t.failed, "skipped": t.skipped, "dry_run": t.opts.dryRun}); err != nil {
			return err
		}
	} else {
		line := fmt.Sprintf("%s %s (%s)", verb, plural(t.files, "file"), plural(t.bytes, "byte"))
		if t.opts.compare {
			line += fmt.Sprintf(", %d up to date", t.upToDate)
		}
		if t.opts.remove {
			line += fmt.Sprintf(", %s %d", removed, t.removed)
		}
		t.a.status(t.a.out, "%s from %s to %s\n", line, t.src, t.dst)
	}
	if t.failed == 0 && t.skipped == 0 {
		return nil
	}
	var parts []string
	if t.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", t.failed))
	}
	if t.skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", t.skipped))
	}
	return &cmdError{op: t.opts.op, msg: fmt.Sprintf("%s to %s: incomplete: %s (see above)", t.src, t.dst, strings.Join(parts, ", "))}
}

// meter is an io.Reader that yields as many bytes as the transfers have
// moved (add), so that one progress bar from track can show them all. Its
// bytes are garbage: the bar only counts them. A nil *meter counts nothing.
type meter struct {
	mu      sync.Mutex
	cond    *sync.Cond
	pending int64
	closed  bool
}

func newMeter() *meter {
	m := &meter{}
	m.cond = sync.NewCond(&m.mu)
	return m
}

func (m *meter) Read(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.pending == 0 && !m.closed {
		m.cond.Wait()
	}
	if m.pending == 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), m.pending))
	m.pending -= int64(n)
	return n, nil
}

func (m *meter) add(n int64) {
	if m == nil || n <= 0 {
		return
	}
	m.mu.Lock()
	m.pending += n
	m.mu.Unlock()
	m.cond.Signal()
}

func (m *meter) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.cond.Broadcast()
}

// reader returns r counting into m.
func (m *meter) reader(r io.Reader) io.Reader {
	if m == nil {
		return r
	}
	return &meterReader{r: r, m: m}
}

type meterReader struct {
	r io.Reader
	m *meter
}

func (mr *meterReader) Read(p []byte) (int, error) {
	n, err := mr.r.Read(p)
	mr.m.add(int64(n))
	return n, err
}
