package s3_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// TestCorruptedReadFails: a GET answer damaged on its way back (one byte
// of the body flipped; length and headers, the checksum among them,
// unchanged) makes a full read through the client, on New (the failover
// layer), fail with ErrCorrupt naming the key, for an object put with one
// PutObject and for one put as a FULL_OBJECT multipart upload: the driver
// returns the object's CRC32C with Get, and the client checks the bytes
// against it at their end. The SDK does not check them itself (the driver
// does not ask it to), so the error is the client's, never wrong bytes
// and a clean io.EOF.
func TestCorruptedReadFails(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		clean, bucket := srv.openRaw(t, func(c *s3drv.Config) { c.PartSize = s3drv.MinPartSize })
		tr := &faultproxy.CorruptGets{Base: http.DefaultTransport.(*http.Transport).Clone()}
		t.Cleanup(tr.Base.(*http.Transport).CloseIdleConnections)
		cfg := srv.config(bucket)
		cfg.HTTPClient = &http.Client{Transport: tr}
		damaging, err := s3drv.New(t.Context(), cfg)
		require.NoError(t, err)
		c := objstore.New(damaging)
		t.Cleanup(func() { c.Close() })

		for name, size := range map[string]int{"one PutObject": 64 << 10, "multipart": s3drv.MinPartSize + 1} {
			key := "corrupt/" + name
			data := payload(uint64(size), size)
			info, err := clean.Put(t.Context(), key, streamOnly{bytes.NewReader(data)}, backend.PutOptions{Size: -1})
			require.NoError(t, err, name)
			require.Equal(t, backend.ChecksumOf(backend.CRC32C, data), info.Checksum, "%s: Put's info", name)

			before := tr.Damaged()
			rc, err := c.GetObject(t.Context(), key)
			require.NoError(t, err, name)
			got, err := io.ReadAll(rc)
			require.NoError(t, rc.Close())
			require.Equal(t, before+1, tr.Damaged(), "%s: the transport damaged the body", name)
			require.Len(t, got, size, "%s: every byte came, one of them damaged", name)
			require.ErrorIs(t, err, objstore.ErrCorrupt, "%s: reading a damaged body", name)
			assert.Contains(t, err.Error(), `get "`+key+`"`)
			t.Logf("%s on %s: %v", name, srv.name, err)
		}
	})
}
