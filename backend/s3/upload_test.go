package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	s3drv "github.com/objstore-dev/objstore/backend/s3"
)

const part = s3drv.MinPartSize

// smallParts configures the smallest parts, two in flight.
func smallParts(c *s3drv.Config) {
	c.PartSize = part
	c.Concurrency = 2
}

// TestUnknownSizeMultipart streams objects of unknown size through the raw
// driver with 5 MiB parts and checks the bytes, the multipart ETag, that
// no upload is left, and that the driver never held more than PartSize ×
// Concurrency bytes that the transport had not taken yet.
func TestUnknownSizeMultipart(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		tr := newCountingTransport()
		t.Cleanup(tr.base.CloseIdleConnections)
		d, bucket := srv.openRaw(t, smallParts, func(c *s3drv.Config) { c.HTTPClient = &http.Client{Transport: tr} })
		for _, size := range []int{
			part - 1, part, part + 1, // one PutObject, up to exactly one part
			2*part + 12345, // three parts, the last one short
			3 * part,       // three full parts, no empty fourth
		} {
			data := payload(uint64(size), size)
			src := &leadReader{src: bytes.NewReader(data), sent: &tr.sent}
			puts := tr.count(http.MethodPut)
			info, err := d.Put(t.Context(), "big/obj", streamOnly{src}, backend.PutOptions{Size: -1, Metadata: map[string]string{"n": "é"}})
			require.NoError(t, err, "size %d", size)
			assert.EqualValues(t, size, info.Size)
			assert.LessOrEqual(t, src.maxLead, int64(2*part+1), "size %d: the driver held more than PartSize × Concurrency bytes", size)

			wantParts := (size + part - 1) / part
			if wantParts > 1 {
				// One PUT per part and the POSTs of create and complete.
				assert.Equal(t, wantParts, tr.count(http.MethodPut)-puts, "size %d: part uploads", size)
				assert.Regexp(t, `-\d+$`, info.ETag, "size %d: a multipart ETag", size)
			} else {
				assert.Equal(t, 1, tr.count(http.MethodPut)-puts, "size %d: one PutObject", size)
			}
			st, err := d.Stat(t.Context(), "big/obj")
			require.NoError(t, err)
			assert.EqualValues(t, size, st.Size)
			assert.Equal(t, info.ETag, st.ETag)
			assert.Equal(t, map[string]string{"n": "é"}, st.Metadata)
			assert.Equal(t, sum(data), sum(getAll(t, d, "big/obj")), "size %d", size)
			assert.Empty(t, srv.uploads(t, bucket), "size %d: an incomplete multipart upload is left", size)
		}
	})
}

// TestKnownSizeMultipart sends a known size larger than a part and reads
// ranges across the part boundaries.
func TestKnownSizeMultipart(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, bucket := srv.open(t, smallParts)
		data := payload(7, 2*part+100)
		_, err := b.Put(t.Context(), "k", bytes.NewReader(data), backend.PutOptions{Size: int64(len(data))})
		require.NoError(t, err)
		for _, r := range []backend.GetOptions{
			{Offset: part - 10, Length: 20},
			{Offset: 2*part - 1, Length: -1},
			{Offset: 2 * part, Length: 1000}, // cut at the end
			{Offset: int64(len(data)), Length: -1},
			{Offset: int64(len(data)), Length: 5},
			{Offset: 3, Length: 0},
		} {
			rc, info, err := b.Get(t.Context(), "k", r)
			require.NoError(t, err, "%+v", r)
			got := readAll(t, rc)
			end := int64(len(data))
			if r.Length >= 0 {
				end = min(end, r.Offset+r.Length)
			}
			assert.Equal(t, data[r.Offset:end], got, "%+v", r)
			assert.EqualValues(t, len(data), info.Size, "%+v: Get's info is the whole object's", r)
		}
		_, _, err = b.Get(t.Context(), "k", backend.GetOptions{Offset: int64(len(data)) + 1, Length: -1})
		assert.ErrorIs(t, err, backend.ErrInvalidArgument)
		assert.Empty(t, srv.uploads(t, bucket))
	})
}

// failAfter delivers n bytes of src, then fails with err, or (when
// onLimit is set) calls onLimit once and goes on delivering src.
type failAfter struct {
	src     io.Reader
	n       int64
	err     error
	onLimit func()
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		if f.onLimit == nil {
			return 0, f.err
		}
		f.onLimit()
		f.onLimit = nil
		f.n = 1 << 62
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.src.Read(p)
	f.n -= int64(n)
	return n, err
}

var errReader = errors.New("the source broke")

// TestFailedUploadLeavesNothing makes multipart uploads fail in every way
// a caller can make them fail, and checks that each returns the right
// error, stores no object and leaves no incomplete upload on the server.
func TestFailedUploadLeavesNothing(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		d, bucket := srv.openRaw(t, smallParts)
		s3drv.SetMaxParts(d, 2)
		data := payload(3, 3*part)
		cases := []struct {
			name string
			put  func(ctx context.Context, cancel context.CancelFunc) error
			want error
		}{
			{"reader fails in the second part", func(ctx context.Context, _ context.CancelFunc) error {
				_, err := d.Put(ctx, "x", &failAfter{src: bytes.NewReader(data), n: part + 1000, err: errReader}, backend.PutOptions{Size: -1})
				return err
			}, errReader},
			{"reader fails near the end of a known size", func(ctx context.Context, _ context.CancelFunc) error {
				_, err := d.Put(ctx, "x", &failAfter{src: bytes.NewReader(data), n: 2*part - 10, err: errReader},
					backend.PutOptions{Size: 2 * part})
				return err
			}, errReader},
			{"context cancelled in the second part", func(ctx context.Context, cancel context.CancelFunc) error {
				_, err := d.Put(ctx, "x", &failAfter{src: bytes.NewReader(data), n: part + 1000, onLimit: cancel}, backend.PutOptions{Size: -1})
				return err
			}, context.Canceled},
			{"reader shorter than the size", func(ctx context.Context, _ context.CancelFunc) error {
				_, err := d.Put(ctx, "x", bytes.NewReader(data[:part+10]), backend.PutOptions{Size: 2 * part})
				return err
			}, backend.ErrInvalidArgument},
			{"reader longer than the size", func(ctx context.Context, _ context.CancelFunc) error {
				_, err := d.Put(ctx, "x", bytes.NewReader(data), backend.PutOptions{Size: 2 * part})
				return err
			}, backend.ErrInvalidArgument},
			{"more parts than allowed", func(ctx context.Context, _ context.CancelFunc) error {
				_, err := d.Put(ctx, "x", streamOnly{bytes.NewReader(data)}, backend.PutOptions{Size: -1})
				return err
			}, backend.ErrTooLarge},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				err := c.put(ctx, cancel)
				require.Error(t, err)
				assert.ErrorIs(t, err, c.want)
				var be *backend.Error
				require.ErrorAs(t, err, &be)
				assert.Equal(t, "put", be.Op)
				assert.Equal(t, "x", be.Key)
				assert.False(t, srv.objectExists(t, bucket, "x"), "an object was stored")
				assert.Empty(t, srv.uploads(t, bucket), "an incomplete multipart upload is left")
			})
		}
		t.Run("known size over the part limit", func(t *testing.T) {
			r := &failAfter{src: bytes.NewReader(data), n: 0, err: errors.New("must not be read")}
			_, err := d.Put(t.Context(), "x", r, backend.PutOptions{Size: 2*part + 1})
			assert.ErrorIs(t, err, backend.ErrTooLarge)
			assert.Contains(t, err.Error(), "part_size")
		})
	})
}

// TestIfNotExist checks create-only puts of one part and of several, and
// that the server, not only the driver's early check, refuses a multipart
// completion when the key appeared during the upload.
func TestIfNotExist(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv *server) {
		b, bucket := srv.open(t, smallParts)
		for _, size := range []int{10, 2*part + 3} {
			key := "once-" + strings.Repeat("x", size%7)
			first := payload(1, size)
			_, err := b.Put(t.Context(), key, bytes.NewReader(first), backend.PutOptions{Size: -1, IfNotExist: true})
			require.NoError(t, err, "size %d", size)
			_, err = b.Put(t.Context(), key, bytes.NewReader(payload(2, size)), backend.PutOptions{Size: -1, IfNotExist: true})
			assert.ErrorIs(t, err, backend.ErrExist, "size %d", size)
			assert.Equal(t, sum(first), sum(getAll(t, b, key)), "size %d: the first object must stay", size)
			assert.Empty(t, srv.uploads(t, bucket))
		}

		// The key is created by someone else while our parts are sent:
		// only the If-None-Match of the completion can catch it.
		d, bucket := srv.openRaw(t, smallParts)
		data := payload(9, 2*part+5)
		r := &failAfter{src: bytes.NewReader(data), n: part + 1, onLimit: func() {
			_, err := d.Put(context.Background(), "raced", strings.NewReader("theirs"), backend.PutOptions{Size: 6})
			require.NoError(t, err)
		}}
		_, err := d.Put(t.Context(), "raced", streamOnly{r}, backend.PutOptions{Size: -1, IfNotExist: true})
		require.ErrorIs(t, err, backend.ErrExist)
		assert.Contains(t, err.Error(), "CompleteMultipartUpload", "the refusal must come from the completion")
		assert.Equal(t, "theirs", string(getAll(t, d, "raced")))
		assert.Empty(t, srv.uploads(t, bucket), "the refused upload must be aborted")
	})
}
