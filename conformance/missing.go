package conformance

import (
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

func checkMissingKey(t T, b backend.Backend) {
	// A store with other objects around the missing ones.
	mustPut(t, b, "missing/dir/child", []byte("child"), sized([]byte("child")))
	mustPut(t, b, "missing/sibling", []byte("s"), sized([]byte("s")))

	for _, key := range []string{
		"missing/no-such-object-7f3a",
		"missing/dir",     // a "directory" on stores that have them
		"missing/dir/chi", // a prefix of an existing key
		"missing/sibling/below",
	} {
		_, err := b.Stat(t.Context(), key)
		if wantErr(t, err, backend.ErrNotFound, "Stat(%q) of a missing key", key) && !strings.Contains(err.Error(), key) {
			t.Errorf("Stat(%q): the error %q does not name the key", key, err)
		}
		for _, opts := range []backend.GetOptions{backend.WholeObject, {Offset: 10, Length: 5}, {}} {
			rc, _, err := b.Get(t.Context(), key, opts)
			if rc != nil {
				if err == nil {
					rc.Close()
				} else {
					t.Errorf("Get(%q) returned both a reader and the error %v", key, err)
				}
			}
			if wantErr(t, err, backend.ErrNotFound, "Get(%q, offset %d, length %d) of a missing key", key, opts.Offset, opts.Length) &&
				!strings.Contains(err.Error(), key) {
				t.Errorf("Get(%q): the error %q does not name the key", key, err)
			}
		}
	}
}

func checkRemove(t T, b backend.Backend) {
	ctx := t.Context()
	if err := b.Remove(ctx, "rm/never-existed"); err != nil {
		t.Errorf("Remove of a missing key: %v, want nil", err)
	}

	data := []byte("to be removed")
	mustPut(t, b, "rm/x", data, sized(data))
	mustPut(t, b, "rm/y", data, sized(data))
	if err := b.Remove(ctx, "rm/x"); err != nil {
		t.Fatalf("Remove(rm/x): %v", err)
	}
	wantAbsent(t, b, "rm/x", "after Remove")
	wantKeys(t, b, "", []string{"rm/y"}, "after Remove(rm/x)")
	if err := b.Remove(ctx, "rm/x"); err != nil {
		t.Errorf("second Remove(rm/x): %v, want nil", err)
	}

	// Removing the "directory" of a key removes nothing.
	mustPut(t, b, "rm/dir/child", data, sized(data))
	if err := b.Remove(ctx, "rm/dir"); err != nil {
		t.Errorf("Remove(rm/dir), a missing key that is the directory of rm/dir/child: %v, want nil", err)
	}
	wantContent(t, b, "rm/dir/child", data, "after Remove of its parent 'directory'")

	// A removed key can be written again.
	mustPut(t, b, "rm/x", []byte("again"), sized([]byte("again")))
	wantContent(t, b, "rm/x", []byte("again"), "put after Remove")
	wantKeys(t, b, "rm/", []string{"rm/dir/child", "rm/x", "rm/y"}, "at the end")
}
