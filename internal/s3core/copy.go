package s3core

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/objstore-dev/objstore/backend"
)

// Copier is an Uploader that copies inside the store.
type Copier interface {
	Uploader
	// CopyObject copies src whole to p.Key with one request, pinned to
	// src.ETag (x-amz-copy-source-if-match); with replace the plan's
	// content type, metadata and HTTP attributes replace the source's
	// (metadata directive REPLACE), else they are kept (COPY). The
	// returned info holds the ETag, LastModified and checksum.
	CopyObject(ctx context.Context, p *Plan, src CopySource, replace bool) (backend.ObjectInfo, error)
	// CopyPart copies src (its range, when Length >= 0) into part num of
	// upload id, pinned to src.ETag. Errors name p.Op; a missing source is
	// ErrNotFound naming it, a changed one says so.
	CopyPart(ctx context.Context, p *Plan, id string, num int, src CopySource) (Part, error)
	// Head is the driver's HEAD of key, its errors named op.
	Head(ctx context.Context, op, key string) (backend.ObjectInfo, error)
}

// CopySource is the bytes a copy reads: a range of one version of an
// object.
type CopySource struct {
	Key, ETag      string // the ETag quoted, as x-amz-copy-source-if-match wants it
	Offset, Length int64  // Length < 0: the whole object (a range cannot be empty)
}

// CopyPartSize is the largest object one CopyObject copies, and the size
// of the parts of a larger one: S3's limit on both, 5 GiB. A variable so
// that tests can cross it with small objects.
var CopyPartSize int64 = MaxPartSize

// Copy copies src to dst inside the store, with opts checked by
// backend.CheckCopy. It first stats src (one HEAD: its size, its ETag and
// its attributes; a missing src is ErrNotFound naming it), checks dst
// for keys that nest with it (conflict.go), then:
//
//   - an object of up to CopyPartSize, not create-only: one CopyObject;
//   - a larger object, or a create-only copy: a multipart upload whose
//     parts copy ranges of the source (CopyPartSize each, Concurrency at a
//     time), published by its completion, which carries If-None-Match: *
//     for IfNotExist. A failure aborts the upload.
//
// Either way dst appears whole or not at all, and every request is pinned
// to the source's ETag, so a source replaced during the copy fails it
// instead of mixing two versions. A copy in parts has no checksum: MinIO
// refuses part copies into an upload that declares a checksum algorithm,
// and versitygw (1.8) records the source's whole-object checksum as that
// of a part that copies a range of it; reads of such a copy are not
// verified.
func (e *Engine) Copy(ctx context.Context, u Copier, dst, srcKey string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	si, err := u.Head(ctx, "copy", srcKey)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if dst != srcKey {
		if err := checkConflicts(ctx, u, "copy", dst); err != nil {
			return backend.ObjectInfo{}, err
		}
	}
	po := backend.PutOptions{IfNotExist: opts.IfNotExist, ContentType: si.ContentType, Metadata: si.Metadata, HTTPAttributes: si.HTTPAttributes}
	if opts.ReplaceMetadata {
		po.ContentType, po.Metadata, po.HTTPAttributes = opts.ContentType, opts.Metadata, opts.HTTPAttributes
	}
	p := &Plan{Op: "copy", Key: dst, Opts: po}
	src := CopySource{Key: srcKey, ETag: backend.QuoteETag(si.ETag), Length: -1}
	var info backend.ObjectInfo
	if !opts.IfNotExist && si.Size <= CopyPartSize {
		info, err = u.CopyObject(ctx, p, src, opts.ReplaceMetadata)
	} else {
		partSize := max(CopyPartSize, (si.Size+MaxParts-1)/MaxParts)
		var srcs []CopySource
		for off := int64(0); off < si.Size && si.Size > partSize; off += partSize {
			srcs = append(srcs, CopySource{Key: srcKey, ETag: src.ETag, Offset: off, Length: min(partSize, si.Size-off)})
		}
		if srcs == nil {
			srcs = []CopySource{src} // the whole object, also an empty one
		}
		info, err = e.copyParts(ctx, u, p, srcs)
	}
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	info.Key, info.Size = dst, si.Size
	info.ContentType, info.Metadata, info.HTTPAttributes = po.ContentType, po.Metadata, po.HTTPAttributes
	return info, nil
}

// Composable returns an ErrNotSupported error when S3's multipart rules
// forbid composing srcs, by their listed sizes, in one upload of part
// copies: 1 to maxParts sources, each at most MaxPartSize, every one but
// the last at least MinPartSize. The client then streams the bytes.
func Composable(dst string, srcs []backend.ObjectInfo, maxParts int) error {
	if len(srcs) == 0 || len(srcs) > maxParts {
		return backend.NewError("compose", dst, backend.ErrNotSupported,
			fmt.Errorf("a server-side compose takes 1 to %d sources, not %d", maxParts, len(srcs)))
	}
	for i, s := range srcs {
		switch {
		case s.Size > MaxPartSize:
			return backend.NewError("compose", dst, backend.ErrNotSupported, fmt.Errorf(
				"source %d (%q) has %d bytes; one part copy takes at most %d", i, s.Key, s.Size, int64(MaxPartSize)))
		case i < len(srcs)-1 && s.Size < MinPartSize:
			return backend.NewError("compose", dst, backend.ErrNotSupported, fmt.Errorf(
				"source %d (%q) has %d bytes; a server-side compose needs every source but the last to hold at least %d", i, s.Key, s.Size, MinPartSize))
		}
	}
	return nil
}

// Compose concatenates srcs into dst, after backend.CheckCompose: one
// multipart upload whose part i+1 is a copy of srcs[i], so dst is atomic.
// Sources that S3's rules cannot compose are ErrNotSupported before any
// request (Composable); dst is checked for keys that nest with it.
// Each source is pinned to one version: a source listed with an ETag
// keeps it; the others are stated first (Concurrency at a time), and a
// size that differs from the listed one fails the compose before the
// upload starts. A failed part copy or completion aborts the upload.
func (e *Engine) Compose(ctx context.Context, u Copier, dst string, srcs []backend.ObjectInfo, ct string, md map[string]string) (backend.ObjectInfo, error) {
	if err := Composable(dst, srcs, e.MaxParts); err != nil {
		return backend.ObjectInfo{}, err
	}
	if err := checkConflicts(ctx, u, "compose", dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	p := &Plan{Op: "compose", Key: dst, Opts: backend.PutOptions{ContentType: ct, Metadata: md}}
	parts := make([]CopySource, len(srcs))
	var total int64
	err := e.each(ctx, p, len(srcs), func(ctx context.Context, i int) error {
		s := srcs[i]
		parts[i] = CopySource{Key: s.Key, ETag: backend.QuoteETag(s.ETag), Length: -1}
		if s.ETag != "" {
			return nil
		}
		si, err := u.Stat(ctx, s.Key)
		switch {
		case err != nil:
			return rename(err, "compose")
		case si.Size != s.Size:
			return backend.NewError("compose", s.Key, nil, fmt.Errorf(
				"the source holds %d bytes where it was listed with %d: it changed since it was listed", si.Size, s.Size))
		}
		parts[i].ETag = backend.QuoteETag(si.ETag)
		return nil
	})
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	for _, s := range srcs {
		total += s.Size
	}
	info, err := e.copyParts(ctx, u, p, parts)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	info.Key, info.Size, info.ContentType, info.Metadata = dst, total, ct, md
	return info, nil
}

// copyParts makes p.Key from srcs, part i+1 a copy of srcs[i], as one
// multipart upload without a checksum, aborted on failure.
func (e *Engine) copyParts(ctx context.Context, u Copier, p *Plan, srcs []CopySource) (backend.ObjectInfo, error) {
	id, err := u.CreateUpload(ctx, p)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	parts := make([]Part, len(srcs))
	err = e.each(ctx, p, len(srcs), func(_ context.Context, i int) error {
		// Parts run on ctx, not cut short by another's failure (see
		// sendParts); each only stops the sending of new ones.
		part, err := u.CopyPart(ctx, p, id, i+1, srcs[i])
		parts[i] = part
		return err
	})
	if err == nil {
		var info backend.ObjectInfo
		if info, err = u.CompleteUpload(ctx, p, id, parts, backend.Checksum{}); err == nil {
			return info, nil
		}
	}
	return backend.ObjectInfo{}, e.Abort(ctx, u, p.Key, id, err)
}

// each runs f(i) for i in [0, n), Concurrency at a time, and returns the
// first error; no new call starts after it. The ctx given to f ends at
// the first error; the end of ctx is an error of p.
func (e *Engine) each(ctx context.Context, p *Plan, n int, f func(ctx context.Context, i int) error) error {
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
		sem      = make(chan struct{}, max(e.Concurrency, 1))
	)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-stop.Done():
		}
		if stop.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(stop, i); err != nil {
				once.Do(func() { firstErr = err; cancel() })
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		return backend.NewError(p.Op, p.Key, nil, ctx.Err())
	}
	return firstErr
}

// rename gives a *backend.Error made for another operation the name of op.
func rename(err error, op string) error {
	var be *backend.Error
	if errors.As(err, &be) {
		be.Op = op
	}
	return err
}
