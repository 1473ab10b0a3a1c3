package gcs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"cloud.google.com/go/storage"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Composer = (*Backend)(nil)

// maxComposeSources is the most sources one GCS compose request takes.
const maxComposeSources = 32

// composeCleanupTimeout bounds the removal of intermediate objects after
// a compose, which runs even when the caller's ctx has ended.
const composeCleanupTimeout = 30 * time.Second

// Compose concatenates srcs into dst on the server with GCS compose
// requests. One request takes at most 32 sources, so more are composed in
// rounds: groups of 32 into intermediate objects named
// "DST.compose-RANDOM-N", then groups of those, until 32 or fewer remain,
// which the last request composes into dst. dst is written once, by that
// last request, so it is atomic; the intermediate objects are visible
// in listings while Compose runs and are removed before it returns, also
// on error. n sources cost about n/31 requests plus one delete per
// intermediate object (10,000 sources: 324 composes and 323 deletes).
// Sizes do not matter to GCS.
func (b *Backend) Compose(ctx context.Context, dst string, srcs []backend.ObjectInfo, opts backend.PutOptions) (backend.ObjectInfo, error) {
	const op = "compose"
	if err := b.guard.Key(ctx, op, dst); err != nil {
		return backend.ObjectInfo{}, err
	}
	md, err := backend.NormalizeMetadata(op, dst, opts.Metadata)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	ct, err := backend.NormalizeContentType(op, dst, opts.ContentType)
	if err != nil {
		return backend.ObjectInfo{}, err
	}
	if len(srcs) == 0 {
		return backend.ObjectInfo{}, backend.NewError(op, dst, backend.ErrNotSupported, fmt.Errorf("a compose needs at least one source"))
	}
	level := make([]string, len(srcs))
	for i, s := range srcs {
		if err := backend.ValidateKey(op, s.Key); err != nil {
			return backend.ObjectInfo{}, err
		}
		level[i] = s.Key
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return backend.ObjectInfo{}, backend.NewError(op, dst, nil, err)
	}
	tmpPrefix := dst + ".compose-" + hex.EncodeToString(rnd[:]) + "-"
	if len(level) > maxComposeSources {
		if err := backend.ValidateKey(op, tmpPrefix+"999999"); err != nil {
			return backend.ObjectInfo{}, backend.NewError(op, dst, backend.ErrNotSupported,
				fmt.Errorf("no room for the names of intermediate objects after the key: %w", err))
		}
	}
	var temps []string
	defer func() {
		if len(temps) == 0 {
			return
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), composeCleanupTimeout)
		defer cancel()
		_ = backend.RemoveEach(cctx, temps, b.removeConc, b.remove)
	}()
	for len(level) > maxComposeSources {
		var next []string
		for i := 0; i < len(level); i += maxComposeSources {
			tmp := fmt.Sprintf("%s%d", tmpPrefix, len(temps))
			temps = append(temps, tmp)
			if _, err := b.compose(ctx, tmp, level[i:min(i+maxComposeSources, len(level))], nil); err != nil {
				return backend.ObjectInfo{}, wrap(op, dst, err)
			}
			next = append(next, tmp)
		}
		level = next
	}
	attrs, err := b.compose(ctx, dst, level, &storage.ObjectAttrs{ContentType: ct, Metadata: md})
	if err != nil {
		return backend.ObjectInfo{}, wrap(op, dst, err)
	}
	return infoOf(attrs), nil
}

// compose makes one compose request of at most 32 sources into dst.
func (b *Backend) compose(ctx context.Context, dst string, srcs []string, attrs *storage.ObjectAttrs) (*storage.ObjectAttrs, error) {
	hs := make([]*storage.ObjectHandle, len(srcs))
	for i, s := range srcs {
		hs[i] = b.bucket.Object(s)
	}
	// A compose replaces dst whole: the failover layer of New may repeat
	// it after a transient failure.
	c := b.bucket.Object(dst).ComposerFrom(hs...)
	if attrs != nil {
		c.ObjectAttrs = *attrs
	}
	return c.Run(ctx)
}
