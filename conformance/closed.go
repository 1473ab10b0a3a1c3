package conformance

import (
	"bytes"
	"io"

	"github.com/objstore-dev/objstore/backend"
)

func checkClosed(t T, b backend.Backend) {
	ctx := t.Context()
	mustPut(t, b, "closed/existing", []byte("x"), backend.PutOptions{Size: 1})
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v, want nil (Close is idempotent)", err)
	}
	want := func(err error, what string) {
		t.Helper()
		wantErr(t, err, backend.ErrClosed, "%s after Close", what)
	}
	var err error
	noPanic(t, "Put after Close", func() {
		_, err = b.Put(ctx, "closed/new", bytes.NewReader([]byte("data")), backend.PutOptions{Size: 4})
	})
	want(err, "Put")
	noPanic(t, "Get after Close", func() {
		var rc io.ReadCloser
		rc, _, err = b.Get(ctx, "closed/existing", backend.WholeObject)
		if rc != nil {
			rc.Close()
		}
	})
	want(err, "Get of an existing key")
	noPanic(t, "Get after Close", func() {
		var rc io.ReadCloser
		rc, _, err = b.Get(ctx, "closed/missing", backend.WholeObject)
		if rc != nil {
			rc.Close()
		}
	})
	want(err, "Get of a missing key")
	noPanic(t, "Stat after Close", func() { _, err = b.Stat(ctx, "closed/existing") })
	want(err, "Stat")
	noPanic(t, "List after Close", func() { _, err = b.List(ctx, backend.ListOptions{}) })
	want(err, "List")
	noPanic(t, "Remove after Close", func() { err = b.Remove(ctx, "closed/existing") })
	want(err, "Remove")
	if br, ok := backend.As[backend.BatchRemover](b); ok {
		noPanic(t, "RemoveMany after Close", func() { err = br.RemoveMany(ctx, []string{"closed/existing"}) })
		want(err, "RemoveMany")
	}
	if err := b.Close(); err != nil {
		t.Errorf("third Close: %v, want nil", err)
	}
}
