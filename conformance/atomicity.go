package conformance

import (
	"context"
	"errors"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

func checkPutCancelled(t T, b backend.Backend) {
	const old = "cancel/existing"
	oldData := payload(50, 10000)
	mustPut(t, b, old, oldData, backend.PutOptions{Size: int64(len(oldData)), Metadata: map[string]string{"v": "old"}})

	data := payload(51, 4<<20)
	for _, c := range []struct {
		key   string
		size  int64
		after int
	}{
		{"cancel/new-unknown-size", -1, 1 << 20},
		{"cancel/new-known-size", int64(len(data)), 1 << 20},
		{"cancel/new-early", -1, 1},
		{old, -1, 1 << 20},
		{old, int64(len(data)), 2 << 20},
	} {
		ctx, cancel := context.WithCancel(t.Context())
		_, err := b.Put(ctx, c.key, cancellingReader(data, c.after, cancel), backend.PutOptions{Size: c.size, Metadata: map[string]string{"v": "new"}})
		cancel()
		wantErr(t, err, context.Canceled, "Put(%q, Size %d) whose context was cancelled after %d of %d bytes", c.key, c.size, c.after, len(data))
		if c.key == old {
			wantContent(t, b, old, oldData, "after a cancelled overwrite")
			if md := mustStat(t, b, old).Metadata; md["v"] != "old" {
				t.Errorf("after a cancelled overwrite, the metadata is %v, want the old", md)
			}
		} else {
			wantAbsent(t, b, c.key, "after a cancelled put")
		}
	}
	wantKeys(t, b, "", []string{old}, "after cancelled puts")
}

func checkPutFailingReader(t T, b backend.Backend) {
	const old = "fail/existing"
	oldData := payload(60, 10000)
	mustPut(t, b, old, oldData, backend.PutOptions{Size: int64(len(oldData)), Metadata: map[string]string{"v": "old"}})

	data := payload(61, 3<<20)
	for i, c := range []struct {
		key   string
		size  int64
		after int
	}{
		{"fail/at-once", -1, 0},
		{"fail/midway-unknown-size", -1, 100 << 10},
		{"fail/midway-known-size", int64(len(data)), 100 << 10},
		{"fail/late", int64(len(data)), len(data) - 1},
		{"fail/late-unknown-size", -1, 2 << 20},
		{old, -1, 5000},
		{old, int64(len(data)), 1 << 20},
	} {
		fault := newFault("case %d, after %d bytes", i, c.after)
		_, err := b.Put(t.Context(), c.key, failingReader(data, c.after, fault), backend.PutOptions{Size: c.size, Metadata: map[string]string{"v": "new"}})
		what := fmt.Sprintf("Put(%q, Size %d) from a reader failing after %d bytes", c.key, c.size, c.after)
		switch {
		case err == nil:
			t.Errorf("%s: no error", what)
		case !errors.Is(err, fault):
			t.Errorf("%s: %q (%T) does not wrap the reader's error (errors.Is)", what, err, err)
		}
		if c.key == old {
			wantContent(t, b, old, oldData, "after an overwrite whose reader failed")
			if md := mustStat(t, b, old).Metadata; md["v"] != "old" {
				t.Errorf("after an overwrite whose reader failed, the metadata is %v, want the old", md)
			}
		} else {
			wantAbsent(t, b, c.key, "after a put whose reader failed")
		}
	}
	wantKeys(t, b, "", []string{old}, "after failed puts")
}
