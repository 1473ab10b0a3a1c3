package s3test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// CheckCorruptedReadFails: a GET answer damaged on its way back (one byte
// of the body flipped; length and headers, the checksum among them,
// unchanged) makes a full read through the client fail with ErrCorrupt
// naming the key, for an object put with one PUT and for one put as a
// FULL_OBJECT multipart upload of partSize+1 bytes.
//
// clean is the driver on a bucket, with parts of partSize bytes;
// damaging opens the driver under test on the same bucket with rt as its
// HTTP transport (the check puts a faultproxy.CorruptGets there) and
// registers its cleanup. The driver returns the object's CRC32C with
// Get, and the client checks the bytes against it at their end; the SDK
// must not check them itself, so the error is the client's, never wrong
// bytes and a clean io.EOF.
func CheckCorruptedReadFails(t *testing.T, clean backend.Backend, partSize int, damaging func(t *testing.T, rt http.RoundTripper) backend.Backend) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DisableCompression = true
	t.Cleanup(base.CloseIdleConnections)
	tr := &faultproxy.CorruptGets{Base: base}
	c := objstore.New(damaging(t, tr))
	t.Cleanup(func() { c.Close() })

	for name, size := range map[string]int{"one PUT": 64 << 10, "multipart": partSize + 1} {
		key := "corrupt/" + name
		data := Payload(uint64(size), size)
		info, err := clean.Put(t.Context(), key, opaque{bytes.NewReader(data)}, backend.PutOptions{Size: -1})
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
		t.Logf("%s: %v", name, err)
	}
}

// opaque hides every method of a reader but Read, so that nothing can
// learn its size or seek it: an upload of unknown size.
type opaque struct{ r io.Reader }

func (o opaque) Read(p []byte) (int, error) { return o.r.Read(p) }
