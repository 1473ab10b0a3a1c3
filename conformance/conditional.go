package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// The checks of conditional writes (PutOptions.IfMatch, compare-and-swap)
// and conditional reads (GetOptions.IfMatch, IfNoneMatch,
// IfModifiedSince). A driver that answers ErrNotSupported (and changed
// nothing) makes them skip.

// casPut is a Put with IfMatch. It reports false (after checking that the
// key still holds before, or nothing when before is nil) when the driver
// says ErrNotSupported.
func casPut(t T, b backend.Backend, key string, data []byte, size int64, ifMatch string, before []byte) (supported bool, info backend.ObjectInfo, err error) {
	t.Helper()
	info, err = b.Put(t.Context(), key, &onlyReader{bytes.NewReader(data)}, backend.PutOptions{Size: size, IfMatch: ifMatch, Metadata: map[string]string{"v": string(data[:1])}})
	if errors.Is(err, backend.ErrNotSupported) {
		if before == nil {
			wantAbsent(t, b, key, "after IfMatch gave ErrNotSupported")
		} else {
			wantContent(t, b, key, before, "after IfMatch gave ErrNotSupported")
		}
		return false, info, err
	}
	return true, info, err
}

// hookReader reads r and calls hook once, in the Read that reaches
// offset at, before it returns those bytes.
type hookReader struct {
	r     io.Reader
	at, n int64
	hook  func()
	fired bool
}

func (h *hookReader) Read(p []byte) (int, error) {
	if !h.fired && h.n+int64(len(p)) > h.at {
		h.fired = true
		h.hook()
	}
	n, err := h.r.Read(p)
	h.n += int64(n)
	return n, err
}

// onlyReader hides every method but Read, so that a driver cannot learn
// the size from the reader's type.
type onlyReader struct{ r io.Reader }

func (o *onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func checkIfMatch(t T, b backend.Backend) {
	const key = "cas/one"
	v1, v2, v3 := []byte("1 first"), []byte("2 second"), []byte("3 third")
	etag1 := mustPut(t, b, key, v1, sized(v1)).ETag
	if st := mustStat(t, b, key); etag1 == "" || !backend.ETagsEqual(etag1, st.ETag) {
		etag1 = st.ETag // Put may leave the ETag empty; Stat has it
	}

	supported, info, err := casPut(t, b, key, v2, int64(len(v2)), etag1, v1)
	if !supported {
		t.Skipf("IfMatch is not supported: %v", err)
	}
	if err != nil {
		t.Fatalf("Put(%q, IfMatch the current ETag %q): %v", key, etag1, err)
	}
	wantContent(t, b, key, v2, "after a compare-and-swap from the current ETag")
	st := mustStat(t, b, key)
	if info.ETag != "" && !backend.ETagsEqual(info.ETag, st.ETag) {
		t.Errorf("the compare-and-swap put returned ETag %q, Stat says %q", info.ETag, st.ETag)
	}
	etag2 := st.ETag
	if backend.ETagsEqual(etag1, etag2) {
		t.Fatalf("the ETag %q did not change when the object's bytes did", etag2)
	}

	// A stale ETag: refused, nothing changes (bytes, metadata).
	_, _, err = casPut(t, b, key, v3, int64(len(v3)), etag1, v2)
	wantErr(t, err, backend.ErrPreconditionFailed, "Put(%q, IfMatch a stale ETag)", key)
	wantContent(t, b, key, v2, "after a compare-and-swap from a stale ETag")
	if md := mustStat(t, b, key).Metadata; md["v"] != "2" {
		t.Errorf("after the refused compare-and-swap the metadata is %v, want that of the second put", md)
	}

	// The ETag in quotes, as HTTP sends it, is the same ETag.
	if _, _, err = casPut(t, b, key, v3, int64(len(v3)), backend.QuoteETag(etag2), v2); err != nil {
		t.Errorf("Put(%q, IfMatch %s, the current ETag in quotes): %v", key, backend.QuoteETag(etag2), err)
	}
	wantContent(t, b, key, v3, "after a compare-and-swap from the quoted current ETag")

	// A missing key fails the precondition and is not created.
	_, _, err = casPut(t, b, "cas/missing", v1, int64(len(v1)), etag1, nil)
	wantErr(t, err, backend.ErrPreconditionFailed, "Put(cas/missing, IfMatch) of a missing key")
	wantAbsent(t, b, "cas/missing", "after a compare-and-swap of a missing key")

	// Unknown size (a driver that buffers) and an empty object.
	etag3 := mustStat(t, b, key).ETag
	if _, _, err = casPut(t, b, key, v1, -1, etag3, v3); err != nil {
		t.Errorf("Put(%q, Size -1, IfMatch the current ETag): %v", key, err)
	}
	wantContent(t, b, key, v1, "after a compare-and-swap of unknown size")
	_, err = b.Put(t.Context(), key, bytes.NewReader(nil), backend.PutOptions{Size: 0, IfMatch: etag3})
	wantErr(t, err, backend.ErrPreconditionFailed, "Put(%q, 0 bytes, IfMatch a stale ETag)", key)
	etag4 := mustStat(t, b, key).ETag
	if _, err = b.Put(t.Context(), key, bytes.NewReader(nil), backend.PutOptions{Size: 0, IfMatch: etag4}); err != nil {
		t.Errorf("Put(%q, 0 bytes, IfMatch the current ETag): %v", key, err)
	}
	wantContent(t, b, key, nil, "after a compare-and-swap to an empty object")

	// Arguments that cannot be right are refused before any I/O.
	for _, o := range []backend.PutOptions{{Size: 1, IfMatch: "*"}, {Size: 1, IfMatch: etag4, IfNotExist: true}} {
		_, err = b.Put(t.Context(), "cas/bad", bytes.NewReader([]byte("x")), o)
		wantErr(t, err, backend.ErrInvalidArgument, "Put(cas/bad, IfMatch %q, IfNotExist %v)", o.IfMatch, o.IfNotExist)
	}
	wantAbsent(t, b, "cas/bad", "after refused compare-and-swap arguments")
}

func checkIfMatchRace(t T, b backend.Backend) {
	const key = "cas/race"
	base := []byte("base")
	mustPut(t, b, key, base, sized(base))
	etag := mustStat(t, b, key).ETag
	if supported, _, err := casPut(t, b, "cas/probe", []byte("probe"), 5, etag, nil); !supported {
		t.Skipf("IfMatch is not supported: %v", err)
	}
	raceConditionalPuts(t, b, key, "compare-and-swap (from ETag "+etag+")", 90, backend.PutOptions{IfMatch: etag}, backend.ErrPreconditionFailed)
}

// casMultipartSize is more than two parts of 5 MiB, the smallest part S3
// allows: a multipart upload on a driver configured with small parts.
const casMultipartSize = 11 << 20

func checkIfMatchMultipart(t T, b backend.Backend) {
	const key = "cas/large"
	v1 := payload(31, casMultipartSize)
	v2 := append([]byte("2"), payload(32, casMultipartSize)...)
	v3 := append([]byte("3"), payload(33, casMultipartSize)...)
	mustPut(t, b, key, v1, sized(v1))
	etag1 := mustStat(t, b, key).ETag
	supported, _, err := casPut(t, b, key, v2, -1, etag1, v1)
	if !supported {
		t.Skipf("IfMatch is not supported: %v", err)
	}
	if err != nil {
		t.Fatalf("Put(%q, %d bytes of unknown size, IfMatch the current ETag): %v", key, len(v2), err)
	}
	wantContent(t, b, key, v2, "after a large compare-and-swap of unknown size")
	etag2 := mustStat(t, b, key).ETag

	// The stale ETag, of known and of unknown size: the store must refuse
	// the completion of the upload, not just its start.
	for _, size := range []int64{int64(len(v3)), -1} {
		_, _, err = casPut(t, b, key, v3, size, etag1, v2)
		wantErr(t, err, backend.ErrPreconditionFailed, "Put(%q, %d bytes, Size %d, IfMatch a stale ETag)", key, len(v3), size)
		wantContent(t, b, key, v2, fmt.Sprintf("after a large compare-and-swap (Size %d) from a stale ETag", size))
	}
	// The object is overwritten while the upload runs (once 6 MiB were
	// read, past any check a driver makes before it starts): only the
	// store's check as it publishes the upload can refuse it. The reader
	// waits (up to 2s) for the overwrite; a store that serialises
	// writes of the key holds the overwrite back until the
	// compare-and-swap is done, which may then succeed, but only if the
	// overwrite had not finished before it went on.
	for _, size := range []int64{int64(len(v3)), -1} {
		cur := mustStat(t, b, key).ETag
		between := append([]byte("b"), payload(34, 1000)...)
		done := make(chan error, 1)
		var landed bool // the overwrite returned before the upload went on
		r := &hookReader{r: bytes.NewReader(v3), at: 6 << 20, hook: func() {
			go func() {
				_, err := b.Put(t.Context(), key, bytes.NewReader(between), sized(between))
				done <- err
			}()
			select {
			case err := <-done:
				landed = true
				done <- err
			case <-time.After(2 * time.Second):
			}
		}}
		_, err = b.Put(t.Context(), key, r, backend.PutOptions{Size: size, IfMatch: cur})
		if !r.fired {
			t.Fatalf("Put(%q, Size %d) returned before reading 6 MiB", key, size)
		}
		if oerr := <-done; oerr != nil {
			t.Errorf("Put(%q) during the compare-and-swap upload: %v", key, oerr)
		}
		what := fmt.Sprintf("Put(%q, %d bytes, Size %d, IfMatch the ETag the object had until the upload was 6 MiB in)", key, len(v3), size)
		if landed || err != nil {
			wantErr(t, err, backend.ErrPreconditionFailed, "%s", what)
		}
		wantContent(t, b, key, between, fmt.Sprintf("after a large compare-and-swap (Size %d) whose object was overwritten during the upload", size))
		mustPut(t, b, key, v2, sized(v2))
	}
	etag2 = mustStat(t, b, key).ETag

	_, _, err = casPut(t, b, "cas/large-missing", v3, -1, etag2, nil)
	wantErr(t, err, backend.ErrPreconditionFailed, "Put(cas/large-missing, %d bytes, IfMatch) of a missing key", len(v3))
	wantAbsent(t, b, "cas/large-missing", "after a large compare-and-swap of a missing key")

	if _, _, err = casPut(t, b, key, v3, int64(len(v3)), etag2, v2); err != nil {
		t.Errorf("Put(%q, %d bytes of known size, IfMatch the current ETag): %v", key, len(v3), err)
	}
	wantContent(t, b, key, v3, "after a large compare-and-swap of known size")
}

// condGet is a Get with preconditions. It checks that a failed
// precondition returns no reader, and reads the body otherwise.
func condGet(t T, b backend.Backend, key string, opts backend.GetOptions) ([]byte, error) {
	t.Helper()
	rc, _, err := b.Get(t.Context(), key, opts)
	if err != nil {
		if rc != nil {
			t.Errorf("Get(%q, %+v) failed with %v and returned a reader", key, opts, err)
			rc.Close()
		}
		return nil, err
	}
	data, rerr := io.ReadAll(rc)
	rc.Close()
	if rerr != nil {
		t.Fatalf("reading Get(%q, %+v): %v", key, opts, rerr)
	}
	return data, nil
}

func checkConditionalGet(t T, b backend.Backend) {
	const key = "cond/get"
	data := []byte("0123456789 conditional")
	mustPut(t, b, key, data, sized(data))
	st := mustStat(t, b, key)
	etag, lm := st.ETag, st.LastModified
	other := "0123456789abcdef0123456789abcdef"
	if backend.ETagsEqual(other, etag) {
		other = "fedcba9876543210fedcba9876543210"
	}
	whole := func(f func(o *backend.GetOptions)) backend.GetOptions {
		o := backend.WholeObject
		f(&o)
		return o
	}

	if _, err := condGet(t, b, key, whole(func(o *backend.GetOptions) { o.IfMatch = etag })); errors.Is(err, backend.ErrNotSupported) {
		t.Skipf("conditional reads are not supported: %v", err)
	}
	cases := []struct {
		what string
		opts backend.GetOptions
		want error  // nil: the bytes
		data []byte // the bytes wanted when want is nil
	}{
		{"IfMatch the ETag", whole(func(o *backend.GetOptions) { o.IfMatch = etag }), nil, data},
		{"IfMatch the quoted ETag", whole(func(o *backend.GetOptions) { o.IfMatch = backend.QuoteETag(etag) }), nil, data},
		{"IfMatch another ETag", whole(func(o *backend.GetOptions) { o.IfMatch = other }), backend.ErrPreconditionFailed, nil},
		{"IfNoneMatch the ETag", whole(func(o *backend.GetOptions) { o.IfNoneMatch = etag }), backend.ErrNotModified, nil},
		{"IfNoneMatch another ETag", whole(func(o *backend.GetOptions) { o.IfNoneMatch = other }), nil, data},
		{"IfModifiedSince the modification time", whole(func(o *backend.GetOptions) { o.IfModifiedSince = lm }), backend.ErrNotModified, nil},
		{"IfModifiedSince 2s before it", whole(func(o *backend.GetOptions) { o.IfModifiedSince = lm.Add(-2 * time.Second) }), nil, data},
		{"IfNoneMatch another ETag with IfModifiedSince the modification time (ignored, as HTTP says)",
			whole(func(o *backend.GetOptions) { o.IfNoneMatch, o.IfModifiedSince = other, lm }), nil, data},
		{"IfMatch the ETag and IfNoneMatch the ETag", whole(func(o *backend.GetOptions) { o.IfMatch, o.IfNoneMatch = etag, etag }), backend.ErrNotModified, nil},
		{"IfMatch another ETag and IfNoneMatch the ETag", whole(func(o *backend.GetOptions) { o.IfMatch, o.IfNoneMatch = other, etag }), backend.ErrPreconditionFailed, nil},
		{"a range with IfMatch the ETag", backend.GetOptions{Offset: 2, Length: 3, IfMatch: etag}, nil, data[2:5]},
		{"a range with IfNoneMatch the ETag", backend.GetOptions{Offset: 2, Length: 3, IfNoneMatch: etag}, backend.ErrNotModified, nil},
		{"a range to the end with IfMatch another ETag", backend.GetOptions{Offset: 4, Length: -1, IfMatch: other}, backend.ErrPreconditionFailed, nil},
		{"a zero Length with IfMatch another ETag", backend.GetOptions{Offset: 0, Length: 0, IfMatch: other}, backend.ErrPreconditionFailed, nil},
		{"a zero Length with IfNoneMatch the ETag", backend.GetOptions{Offset: 0, Length: 0, IfNoneMatch: etag}, backend.ErrNotModified, nil},
		{"a zero Length with IfMatch the ETag", backend.GetOptions{Offset: 0, Length: 0, IfMatch: etag}, nil, []byte{}},
	}
	for _, c := range cases {
		got, err := condGet(t, b, key, c.opts)
		switch {
		case c.want != nil:
			wantErr(t, err, c.want, "Get(%q, %s)", key, c.what)
		case err != nil:
			t.Errorf("Get(%q, %s): %v", key, c.what, err)
		case !bytes.Equal(got, c.data):
			t.Errorf("Get(%q, %s) returned %s, want %s", key, c.what, describe(got), describe(c.data))
		}
	}

	// After an overwrite the old ETag no longer matches.
	data2 := []byte("the second version")
	mustPut(t, b, key, data2, sized(data2))
	_, err := condGet(t, b, key, whole(func(o *backend.GetOptions) { o.IfMatch = etag }))
	wantErr(t, err, backend.ErrPreconditionFailed, "Get(%q, IfMatch the ETag before an overwrite)", key)
	if got, err := condGet(t, b, key, whole(func(o *backend.GetOptions) { o.IfNoneMatch = etag })); err != nil || !bytes.Equal(got, data2) {
		t.Errorf("Get(%q, IfNoneMatch the ETag before an overwrite) = %s, %v; want the new bytes", key, describe(got), err)
	}

	// A missing object is ErrNotFound whatever the preconditions; "*" is
	// refused before any I/O.
	_, err = condGet(t, b, "cond/missing", whole(func(o *backend.GetOptions) { o.IfMatch = etag }))
	wantErr(t, err, backend.ErrNotFound, "Get(cond/missing, IfMatch)")
	_, err = condGet(t, b, "cond/missing", whole(func(o *backend.GetOptions) { o.IfNoneMatch = etag }))
	wantErr(t, err, backend.ErrNotFound, "Get(cond/missing, IfNoneMatch)")
	_, err = condGet(t, b, key, whole(func(o *backend.GetOptions) { o.IfNoneMatch = "*" }))
	wantErr(t, err, backend.ErrInvalidArgument, "Get(%q, IfNoneMatch \"*\")", key)
}
