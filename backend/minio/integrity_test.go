package minio_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/minio"
	"github.com/objstore-dev/objstore/internal/faultproxy"
	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestCorruptedBodyRefused: every upload path carries a hash of its body
// that the server checks (the signed SHA-256 of a buffered PUT or part,
// put.go; minio-go's per-chunk streaming signature for a known-size
// stream), so a body damaged on the way is refused and nothing is stored.
func TestCorruptedBodyRefused(t *testing.T) {
	srv := testserver.StartMinIO(t)
	tr := &faultproxy.CorruptPuts{Base: &http.Transport{DisableCompression: true}}
	t.Cleanup(tr.Base.(*http.Transport).CloseIdleConnections)
	d := openDriver(t, srv, func(c *minio.Config) {
		c.Transport = tr
		c.PartSize = minio.MinPartSize
	})
	size := int64(2*minio.MinPartSize + 1)
	for name, put := range map[string]func(key string, data []byte) error{
		"unknown size, one part": func(key string, data []byte) error {
			_, err := d.Put(t.Context(), key, opaque{bytes.NewReader(data[:4<<10])}, backend.PutOptions{Size: -1})
			return err
		},
		"unknown size, multipart": func(key string, data []byte) error {
			_, err := d.Put(t.Context(), key, opaque{bytes.NewReader(data)}, backend.PutOptions{Size: -1})
			return err
		},
		"known size, streamed": func(key string, data []byte) error {
			_, err := d.Put(t.Context(), key, opaque{bytes.NewReader(data)}, backend.PutOptions{Size: size})
			return err
		},
	} {
		key := "corrupt/" + name
		before := tr.Damaged()
		err := put(key, payload(uint64(len(name)), int(size)))
		require.Error(t, err, "%s: a damaged body was accepted", name)
		assert.Contains(t, err.Error(), `put "`+key+`"`)
		assert.Greater(t, tr.Damaged(), before, "%s: the transport damaged a body", name)
		wantGone(t, srv, d, key)
		t.Logf("%s: %v", name, err)
	}
}
