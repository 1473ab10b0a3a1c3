package conformance

import (
	"bytes"
	"context"
	"io"

	"github.com/objstore-dev/objstore/backend"
)

func checkInvalidArguments(t T, b backend.Backend) {
	ctx := t.Context()
	var err error
	noPanic(t, "Put with a nil reader", func() {
		_, err = b.Put(ctx, "args/nil-reader", nil, backend.PutOptions{Size: -1})
	})
	wantErr(t, err, backend.ErrInvalidArgument, "Put with a nil reader")
	noPanic(t, "Put with a nil reader and Size 0", func() {
		_, err = b.Put(ctx, "args/nil-reader", nil, backend.PutOptions{Size: 0})
	})
	wantErr(t, err, backend.ErrInvalidArgument, "Put with a nil reader and Size 0")
	wantAbsent(t, b, "args/nil-reader", "after a put with a nil reader")

	for _, size := range []int64{-2, -1 << 40} {
		r := &countingReader{r: bytes.NewReader([]byte("data"))}
		noPanic(t, "Put with a size below -1", func() {
			_, err = b.Put(ctx, "args/size", r, backend.PutOptions{Size: size})
		})
		wantErr(t, err, backend.ErrInvalidArgument, "Put with Size %d", size)
		if n := r.reads.Load(); n != 0 {
			t.Errorf("Put with Size %d read the reader %d times before rejecting it", size, n)
		}
	}
	wantAbsent(t, b, "args/size", "after puts with a size below -1")

	noPanic(t, "List with a negative page size", func() {
		_, err = b.List(ctx, backend.ListOptions{PageSize: -1})
	})
	wantErr(t, err, backend.ErrInvalidArgument, "List with page size -1")

	// A nil metadata map and an empty one are both "no metadata".
	mustPut(t, b, "args/nil-map", []byte("x"), backend.PutOptions{Size: 1, Metadata: nil})
	mustPut(t, b, "args/empty-map", []byte("x"), backend.PutOptions{Size: 1, Metadata: map[string]string{}})
	for _, k := range []string{"args/nil-map", "args/empty-map"} {
		if md := mustStat(t, b, k).Metadata; len(md) != 0 {
			t.Errorf("Stat(%q) after a put without metadata: %v", k, md)
		}
	}
	wantKeys(t, b, "", []string{"args/empty-map", "args/nil-map"}, "at the end")
}

func checkContextCancelled(t T, b backend.Backend) {
	mustPut(t, b, "ctx/existing", []byte("x"), backend.PutOptions{Size: 1})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	want := func(err error, what string) {
		t.Helper()
		wantErr(t, err, context.Canceled, "%s with a cancelled context", what)
	}
	_, err := b.Put(ctx, "ctx/new", bytes.NewReader([]byte("data")), backend.PutOptions{Size: 4})
	want(err, "Put")
	_, err = b.Put(ctx, "ctx/new", opaqueReader{bytes.NewReader([]byte("data"))}, backend.PutOptions{Size: -1})
	want(err, "Put of unknown size")
	rc, _, err := b.Get(ctx, "ctx/existing", backend.WholeObject)
	if err == nil {
		// Some stores only fail on the first read.
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	want(err, "Get")
	_, err = b.Stat(ctx, "ctx/existing")
	want(err, "Stat")
	_, err = b.List(ctx, backend.ListOptions{})
	want(err, "List")
	want(b.Remove(ctx, "ctx/existing"), "Remove")

	wantAbsent(t, b, "ctx/new", "after puts with a cancelled context")
	wantContent(t, b, "ctx/existing", []byte("x"), "after a Remove with a cancelled context")
}
