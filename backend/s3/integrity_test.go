package s3_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// TestCorruptedBodyRefused: the server checks every uploaded body against
// the hash that the request carries (the signed SHA-256 over http, the
// Content-MD5 over https, payload.go), so a body damaged on the way is
// refused and nothing is stored, for a single PUT and for a multipart
// upload's parts alike.
func TestCorruptedBodyRefused(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		tr := &faultproxy.CorruptPuts{Base: http.DefaultTransport.(*http.Transport).Clone()}
		d, _ := srv.openRaw(t, func(c *s3drv.Config) {
			c.HTTPClient = &http.Client{Transport: tr}
			c.PartSize = s3drv.MinPartSize
		})
		for name, size := range map[string]int64{"single": 4 << 10, "multipart": 2*s3drv.MinPartSize + 1} {
			before := tr.Damaged()
			data := payload(uint64(size), int(size))
			_, putErr := d.Put(t.Context(), "corrupt/"+name, streamOnly{bytes.NewReader(data)}, backend.PutOptions{Size: -1})
			require.Error(t, putErr, "%s: a damaged body was accepted", name)
			assert.Contains(t, putErr.Error(), `put "corrupt/`+name+`"`)
			assert.Greater(t, tr.Damaged(), before, "%s: the transport damaged a body", name)
			_, err := d.Stat(t.Context(), "corrupt/"+name)
			require.ErrorIs(t, err, backend.ErrNotFound, "%s: nothing stored", name)
			t.Logf("%s on %s: %v", name, srv.name, putErr)
		}
	})
}
