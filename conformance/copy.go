package conformance

import (
	"errors"
	"maps"

	"github.com/objstore-dev/objstore/backend"
)

// copyLargeSize crosses the part threshold of the drivers that copy large
// objects in parts (S3 and MinIO past 5 GiB, or their test setting of
// 5 MiB) and of those whose rewrite takes several calls.
const copyLargeSize = 6 << 20

// checkCopy holds a backend.Copier to its contract. A backend without one
// is skipped (the client streams its copies). Copies with new metadata,
// create-only copies and copies of an object onto itself may answer
// ErrNotSupported (the client then streams), but must then have changed
// nothing; a plain copy must work, unless it too gives ErrNotSupported (a
// wrapper such as failover, whose endpoints turn out to have no Copier):
// the check is then skipped.
func checkCopy(t T, b backend.Backend) {
	cp, ok := backend.As[backend.Copier](b)
	if !ok {
		t.Skipf("the backend has no backend.Copier")
	}
	ctx := t.Context()
	const src, dst = "copy/src", "copy/dst"
	data := payload(90, 64<<10)
	srcMD := map[string]string{"origin": "src", "n": "1"}
	mustPut(t, b, src, data, backend.PutOptions{Size: int64(len(data)), ContentType: "text/plain", Metadata: srcMD})

	// A plain copy: the bytes, the content type and the metadata.
	info, err := cp.Copy(ctx, dst, src, backend.CopyOptions{})
	if errors.Is(err, backend.ErrNotSupported) {
		// A wrapper over stores it cannot ask in advance (failover).
		wantAbsent(t, b, dst, "after a plain copy gave ErrNotSupported")
		t.Skipf("a plain copy gives ErrNotSupported: %v", err)
	}
	if err != nil {
		t.Fatalf("Copy(%q, %q): %v", dst, src, err)
	}
	if info.Key != dst || info.Size != int64(len(data)) {
		t.Errorf("Copy(%q, %q) returned key %q, size %d; want %q, %d", dst, src, info.Key, info.Size, dst, len(data))
	}
	wantContent(t, b, dst, data, "after a plain copy")
	wantAttrs(t, b, dst, "text/plain", srcMD, "after a plain copy")
	wantContent(t, b, src, data, "the source after a copy")

	// A copy replaces what dst holds.
	mustPut(t, b, dst, []byte("old"), backend.PutOptions{Size: 3, Metadata: map[string]string{"old": "yes"}})
	if _, err := cp.Copy(ctx, dst, src, backend.CopyOptions{}); err != nil {
		t.Fatalf("Copy(%q, %q) over an existing object: %v", dst, src, err)
	}
	wantContent(t, b, dst, data, "after a copy over an existing object")
	wantAttrs(t, b, dst, "text/plain", srcMD, "after a copy over an existing object")

	// New metadata and content type.
	const dst2 = "copy/dst-new-metadata"
	newMD := map[string]string{"origin": "copy"}
	info, err = cp.Copy(ctx, dst2, src, backend.CopyOptions{ReplaceMetadata: true, ContentType: "application/json", Metadata: newMD})
	switch {
	case errors.Is(err, backend.ErrNotSupported):
		t.Logf("Copy with new metadata: %v (the client streams)", err)
		wantAbsent(t, b, dst2, "after a copy with new metadata gave ErrNotSupported")
	case err != nil:
		t.Errorf("Copy(%q, %q) with new metadata: %v", dst2, src, err)
	default:
		if info.ContentType != "application/json" || !maps.Equal(info.Metadata, newMD) {
			t.Errorf("Copy with new metadata returned content type %q, metadata %v; want application/json, %v", info.ContentType, info.Metadata, newMD)
		}
		wantContent(t, b, dst2, data, "after a copy with new metadata")
		wantAttrs(t, b, dst2, "application/json", newMD, "after a copy with new metadata")
		wantAttrs(t, b, src, "text/plain", srcMD, "the source after a copy with new metadata")
	}

	// A missing source: ErrNotFound naming the source; nothing created.
	const missing, dst3 = "copy/missing", "copy/dst-of-missing"
	_, err = cp.Copy(ctx, dst3, missing, backend.CopyOptions{})
	if wantErr(t, err, backend.ErrNotFound, "Copy(%q, %q) of a missing source", dst3, missing) {
		var be *backend.Error
		if !errors.As(err, &be) || be.Key != missing {
			t.Errorf("Copy of a missing source: the error %q does not name the source %q as its key", err, missing)
		}
	}
	wantAbsent(t, b, dst3, "after a copy of a missing source")

	// Create-only: ErrExist and dst unchanged; a free dst is created.
	other := []byte("the destination's own bytes")
	const dst4 = "copy/create-only"
	mustPut(t, b, dst4, other, sized(other))
	_, err = cp.Copy(ctx, dst4, src, backend.CopyOptions{IfNotExist: true})
	if errors.Is(err, backend.ErrNotSupported) {
		t.Logf("Copy with IfNotExist: %v (the client streams)", err)
	} else {
		wantErr(t, err, backend.ErrExist, "Copy(%q, %q, IfNotExist) onto an existing object", dst4, src)
	}
	wantContent(t, b, dst4, other, "after a create-only copy onto an existing object")
	const dst5 = "copy/create-only-free"
	if _, err := cp.Copy(ctx, dst5, src, backend.CopyOptions{IfNotExist: true}); errors.Is(err, backend.ErrNotSupported) {
		wantAbsent(t, b, dst5, "after a create-only copy gave ErrNotSupported")
	} else if err != nil {
		t.Errorf("Copy(%q, %q, IfNotExist) to a free key: %v", dst5, src, err)
	} else {
		wantContent(t, b, dst5, data, "after a create-only copy to a free key")
	}

	// Onto itself: refused without new metadata, else the metadata changes.
	_, err = cp.Copy(ctx, src, src, backend.CopyOptions{})
	wantErr(t, err, backend.ErrInvalidArgument, "Copy(%q, %q) onto itself without new metadata", src, src)
	selfMD := map[string]string{"origin": "self"}
	if _, err := cp.Copy(ctx, src, src, backend.CopyOptions{ReplaceMetadata: true, ContentType: "text/csv", Metadata: selfMD}); errors.Is(err, backend.ErrNotSupported) {
		wantAttrs(t, b, src, "text/plain", srcMD, "after a copy onto itself gave ErrNotSupported")
	} else if err != nil {
		t.Errorf("Copy(%q, %q) onto itself with new metadata: %v", src, src, err)
	} else {
		wantAttrs(t, b, src, "text/csv", selfMD, "after a copy onto itself with new metadata")
	}
	wantContent(t, b, src, data, "after a copy onto itself")

	// Invalid keys, before any I/O.
	for _, k := range []string{"", "/abs", "a/../b"} {
		_, err := cp.Copy(ctx, k, src, backend.CopyOptions{})
		wantErr(t, err, backend.ErrInvalidKey, "Copy(%q, %q)", k, src)
		_, err = cp.Copy(ctx, "copy/x", k, backend.CopyOptions{})
		wantErr(t, err, backend.ErrInvalidKey, "Copy(%q, %q)", "copy/x", k)
	}
	wantAbsent(t, b, "copy/x", "after copies with invalid keys")

	// A large object, across the part threshold.
	const big, bigDst = "copy/large", "copy/large-dst"
	large := payload(91, copyLargeSize)
	mustPut(t, b, big, large, backend.PutOptions{Size: int64(len(large)), Metadata: map[string]string{"size": "large"}})
	info, err = cp.Copy(ctx, bigDst, big, backend.CopyOptions{})
	if err != nil {
		t.Fatalf("Copy(%q, %q) of %d bytes: %v", bigDst, big, len(large), err)
	}
	if info.Size != int64(len(large)) {
		t.Errorf("Copy of %d bytes returned size %d", len(large), info.Size)
	}
	wantContent(t, b, bigDst, large, "after a copy of a large object")
	wantAttrs(t, b, bigDst, backend.DefaultContentType, map[string]string{"size": "large"}, "after a copy of a large object")
	const bigNew = "copy/large-create-only"
	if _, err := cp.Copy(ctx, bigNew, big, backend.CopyOptions{IfNotExist: true, ReplaceMetadata: true, Metadata: map[string]string{"size": "new"}}); err == nil {
		wantContent(t, b, bigNew, large, "after a create-only copy with new metadata of a large object")
		wantAttrs(t, b, bigNew, backend.DefaultContentType, map[string]string{"size": "new"}, "after a create-only copy with new metadata of a large object")
	} else if !errors.Is(err, backend.ErrNotSupported) {
		t.Errorf("Copy(%q, %q, IfNotExist, new metadata) of %d bytes: %v", bigNew, big, len(large), err)
	}
}

// wantAttrs checks the content type and metadata Stat reports for key.
func wantAttrs(t T, b backend.Backend, key, ct string, md map[string]string, why string) {
	t.Helper()
	st := mustStat(t, b, key)
	if st.ContentType != ct {
		t.Errorf("%s: Stat(%q) says content type %q, want %q", why, key, st.ContentType, ct)
	}
	if len(st.Metadata) != 0 || len(md) != 0 {
		if !maps.Equal(st.Metadata, md) {
			t.Errorf("%s: Stat(%q) says metadata %v, want %v", why, key, st.Metadata, md)
		}
	}
}

// copyCheck is the copy check's entry in the suite.
var copyCheck = check{name: "copy", fn: checkCopy,
	doc: "a backend.Copier copies bytes, content type and metadata (or new ones), replaces or (IfNotExist) refuses an existing destination, refuses a copy onto itself without new metadata, names the source of ErrNotFound, and copies a 6 MiB object (skipped without a Copier)"}
