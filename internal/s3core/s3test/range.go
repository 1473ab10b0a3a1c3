// RangeAnswers checks, on a real server, that a driver that
// speaks S3 hands the answers that package s3core decides to s3core: its
// adapter from the SDK's errors and headers is the only part of the
// decision the driver writes.

package s3test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/faultproxy"
)

// RangeAnswers checks the Get contract on ranges against the answers of
// the server and against answers proxy makes up: a range at the end is
// empty and one past it ErrInvalidArgument (S3 answers 416 to both); a
// 416 for a range the object holds (it grew between the GET and the HEAD
// after it) is ErrServerBusy; a Content-Range that does not parse, or
// that holds another range, is ErrUnavailable. Every error is a
// *backend.Error of "get" naming the key.
func RangeAnswers(t *testing.T, d backend.Backend, proxy *faultproxy.HTTPProxy) {
	ctx := t.Context()
	const key = "s3test/range"
	_, err := d.Put(ctx, key, strings.NewReader("0123456789"), backend.PutOptions{Size: 10})
	require.NoError(t, err)

	t.Run("at the end: empty", func(t *testing.T) {
		r, info, err := d.Get(ctx, key, backend.GetOptions{Offset: 10, Length: 5})
		require.NoError(t, err)
		defer r.Close()
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.Empty(t, b)
		assert.EqualValues(t, 10, info.Size)
	})
	t.Run("past the end: ErrInvalidArgument", func(t *testing.T) {
		_, _, err := d.Get(ctx, key, backend.GetOptions{Offset: 11, Length: -1})
		requireGetError(t, err, backend.ErrInvalidArgument, key)
	})
	t.Run("a range", func(t *testing.T) {
		r, info, err := d.Get(ctx, key, backend.GetOptions{Offset: 2, Length: 3})
		require.NoError(t, err)
		defer r.Close()
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.Equal(t, "234", string(b))
		assert.EqualValues(t, 10, info.Size)
	})
	// A 206 that the SDKs take for a successful GET: the headers every
	// answer to one carries (minio-go refuses one without them), and the
	// Content-Range under test.
	partial := func(contentRange string) faultproxy.Fault {
		return faultproxy.Fault{Status: http.StatusPartialContent, Header: http.Header{
			"Content-Range": {contentRange},
			"Last-Modified": {time.Now().UTC().Format(http.TimeFormat)},
			"Etag":          {`"0123456789abcdef0123456789abcdef"`},
		}}
	}
	for _, c := range []struct {
		name  string
		fault faultproxy.Fault
		want  error
	}{
		{"416 for bytes the object holds: it grew", faultproxy.Fault{Status: http.StatusRequestedRangeNotSatisfiable, Code: "InvalidRange"}, backend.ErrServerBusy},
		{"a malformed Content-Range", partial("bytes 2-4"), backend.ErrUnavailable},
		{"a Content-Range of another range", partial("bytes 0-4/10"), backend.ErrUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.fault.Method = http.MethodGet
			before := proxy.Injected(http.MethodGet)
			proxy.Inject(c.fault)
			t.Cleanup(proxy.Clear)
			r, _, err := d.Get(ctx, key, backend.GetOptions{Offset: 2, Length: 3})
			if err == nil {
				r.Close()
			}
			assert.Equal(t, before+1, proxy.Injected(http.MethodGet), "the fault answered the Get")
			requireGetError(t, err, c.want, key)
		})
	}
}

func requireGetError(t *testing.T, err, kind error, key string) {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var be *backend.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "get", be.Op)
	assert.Equal(t, key, be.Key)
	t.Log(err)
}
