package s3core_test

import (
	"context"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

func TestRangeHeader(t *testing.T) {
	for _, c := range []struct {
		offset, length int64
		want           string
	}{
		{0, -1, ""}, // the whole object
		{0, 10, "bytes=0-9"},
		{5, 1, "bytes=5-5"},
		{5, -1, "bytes=5-"},
		{1, math.MaxInt64, "bytes=1-"}, // the last byte would overflow
		{math.MaxInt64 - 1, 1, "bytes=9223372036854775806-9223372036854775806"},
	} {
		got := s3core.RangeHeader(backend.GetOptions{Offset: c.offset, Length: c.length})
		assert.Equal(t, c.want, got, "offset %d, length %d", c.offset, c.length)
	}
}

func TestRangeNotSatisfiable(t *testing.T) {
	assert.True(t, s3core.Answer{Status: 416}.RangeNotSatisfiable())
	assert.True(t, s3core.Answer{Code: "InvalidRange", Status: 416}.RangeNotSatisfiable())
	assert.True(t, s3core.Answer{Code: "InvalidRange"}.RangeNotSatisfiable())
	assert.False(t, s3core.Answer{Code: "InvalidArgument", Status: 400}.RangeNotSatisfiable())
	assert.False(t, s3core.Answer{}.RangeNotSatisfiable())
}

func TestEmptyRange(t *testing.T) {
	got416 := errors.New("416 InvalidRange")
	for _, c := range []struct {
		name     string
		size     int64
		opts     backend.GetOptions
		rangeErr error
		want     error // nil: an empty reader
	}{
		{"416 at the end", 10, backend.GetOptions{Offset: 10, Length: 5}, got416, nil},
		{"416 at the end, to the end", 10, backend.GetOptions{Offset: 10, Length: -1}, got416, nil},
		{"416 on an empty object", 0, backend.GetOptions{Offset: 0, Length: 5}, got416, nil},
		{"416 past the end", 10, backend.GetOptions{Offset: 11, Length: -1}, got416, backend.ErrInvalidArgument},
		{"no bytes asked for", 10, backend.GetOptions{Offset: 5, Length: 0}, nil, nil},
		{"no bytes asked for, at the end", 10, backend.GetOptions{Offset: 10, Length: 0}, nil, nil},
		{"no bytes asked for, past the end", 10, backend.GetOptions{Offset: 11, Length: 0}, nil, backend.ErrInvalidArgument},
		// The two drivers disagreed (minio: ErrInvalidArgument, s3:
		// ErrServerBusy): the object grew between the GET and the HEAD.
		{"416, but the object grew", 20, backend.GetOptions{Offset: 10, Length: 5}, got416, backend.ErrServerBusy},
		{"416, but the object grew, to the end", 11, backend.GetOptions{Offset: 10, Length: -1}, got416, backend.ErrServerBusy},
		{"a precondition fails first", 10, backend.GetOptions{Offset: 10, Length: 5, IfMatch: "other"}, got416, backend.ErrPreconditionFailed},
		{"gone before the HEAD", -1, backend.GetOptions{Offset: 10, Length: 5}, got416, backend.ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			info := backend.ObjectInfo{Key: "k", Size: c.size, ETag: "etag"}
			stat := func(_ context.Context, op, key string) (backend.ObjectInfo, error) {
				assert.Equal(t, "get", op)
				if c.size < 0 {
					return backend.ObjectInfo{}, backend.NewError(op, key, backend.ErrNotFound, nil)
				}
				return info, nil
			}
			r, got, err := s3core.EmptyRange(t.Context(), "k", c.opts, c.rangeErr, stat)
			if c.want == nil {
				require.NoError(t, err)
				assert.Equal(t, info, got)
				b, err := io.ReadAll(r)
				require.NoError(t, err)
				assert.Empty(t, b)
				return
			}
			require.ErrorIs(t, err, c.want)
			var be *backend.Error
			require.ErrorAs(t, err, &be)
			assert.Equal(t, "get", be.Op)
			assert.Equal(t, "k", be.Key)
			if c.want == backend.ErrServerBusy {
				assert.ErrorIs(t, err, got416, "the native 416 stays reachable")
			}
		})
	}
}

func TestReadSpan(t *testing.T) {
	whole := backend.WholeObject
	rng := func(off, n int64) backend.GetOptions { return backend.GetOptions{Offset: off, Length: n} }
	for _, c := range []struct {
		name          string
		opts          backend.GetOptions
		contentRange  string
		contentLength int64
		want          s3core.Span
		err           error
	}{
		{"whole object", whole, "", 100, s3core.Span{Size: 100, Length: 100}, nil},
		{"empty object", whole, "", 0, s3core.Span{Size: 0, Length: 0}, nil},
		{"whole object of unknown size", whole, "", -1, s3core.Span{Size: -1, Length: -1}, nil},
		{"range", rng(10, 5), "bytes 10-14/100", 5, s3core.Span{Size: 100, Length: 5}, nil},
		{"range without Content-Length", rng(10, 5), "bytes 10-14/100", -1, s3core.Span{Size: 100, Length: 5}, nil},
		{"range to the end", rng(10, -1), "bytes 10-99/100", 90, s3core.Span{Size: 100, Length: 90}, nil},
		{"range cut at the end", rng(95, 10), "bytes 95-99/100", 5, s3core.Span{Size: 100, Length: 5}, nil},
		{"from 0", rng(0, 5), "bytes 0-4/100", 5, s3core.Span{Size: 100, Length: 5}, nil},
		{"more than asked: cut", rng(10, 5), "bytes 10-19/100", 10, s3core.Span{Size: 100, Length: 5}, nil},
		{"a whole object sent as a 206", whole, "bytes 0-99/100", 100, s3core.Span{Size: 100, Length: 100}, nil},
		{"the unit in upper case", rng(10, 5), "BYTES 10-14/100", 5, s3core.Span{Size: 100, Length: 5}, nil},

		// The server ignored the Range and sent the whole object.
		{"range ignored", rng(10, 5), "", 100, s3core.Span{Size: 100, Skip: 10, Length: 5}, nil},
		{"range ignored, from 0", rng(0, 5), "", 100, s3core.Span{Size: 100, Length: 5}, nil},
		{"range ignored, to the end", rng(10, -1), "", 100, s3core.Span{Size: 100, Skip: 10, Length: 90}, nil},
		{"range ignored, cut at the end", rng(95, 10), "", 100, s3core.Span{Size: 100, Skip: 95, Length: 5}, nil},
		{"range ignored, at the end", rng(100, 10), "", 100, s3core.Span{Size: 100, Skip: 100, Length: 0}, nil},
		{"range ignored, past the end", rng(101, 10), "", 100, s3core.Span{}, backend.ErrInvalidArgument},

		// Answers broken on the way. The two drivers disagreed on a
		// malformed Content-Range (minio: ErrUnavailable, s3:
		// ErrServerBusy).
		{"no Content-Range, no Content-Length", rng(10, 5), "", -1, s3core.Span{}, backend.ErrUnavailable},
		{"no total", rng(10, 5), "bytes 10-14", 5, s3core.Span{}, backend.ErrUnavailable},
		{"unknown total", rng(10, 5), "bytes 10-14/*", 5, s3core.Span{}, backend.ErrUnavailable},
		{"the form of a 416", rng(10, 5), "bytes */100", 5, s3core.Span{}, backend.ErrUnavailable},
		{"a Range header, not a Content-Range", rng(10, 5), "bytes=10-14/100", 5, s3core.Span{}, backend.ErrUnavailable},
		{"another unit", rng(10, 5), "items 10-14/100", 5, s3core.Span{}, backend.ErrUnavailable},
		{"end before start", rng(10, 5), "bytes 14-10/100", 5, s3core.Span{}, backend.ErrUnavailable},
		{"end at the total", rng(10, 5), "bytes 10-100/100", 91, s3core.Span{}, backend.ErrUnavailable},
		{"a sign", rng(10, 5), "bytes +10-14/100", 5, s3core.Span{}, backend.ErrUnavailable},
		{"not a number", rng(10, 5), "bytes 10-14/1e3", 5, s3core.Span{}, backend.ErrUnavailable},
		{"an overflow", rng(10, 5), "bytes 10-14/99999999999999999999", 5, s3core.Span{}, backend.ErrUnavailable},
		{"another start", rng(10, 5), "bytes 0-14/100", 15, s3core.Span{}, backend.ErrUnavailable},
		{"fewer bytes than asked", rng(10, 5), "bytes 10-12/100", 3, s3core.Span{}, backend.ErrUnavailable},
		{"part of a whole object", whole, "bytes 0-49/100", 50, s3core.Span{}, backend.ErrUnavailable},
		{"Content-Length disagrees", rng(10, 5), "bytes 10-14/100", 4, s3core.Span{}, backend.ErrUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s3core.ReadSpan("k", c.opts, c.contentRange, c.contentLength)
			if c.err != nil {
				require.ErrorIs(t, err, c.err)
				var be *backend.Error
				require.ErrorAs(t, err, &be)
				assert.Equal(t, "get", be.Op)
				assert.Equal(t, "k", be.Key)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

// FuzzReadSpan: whatever the headers, a Span that ReadSpan accepts
// describes the range asked for and no more.
func FuzzReadSpan(f *testing.F) {
	f.Add(int64(10), int64(5), "bytes 10-14/100", int64(5))
	f.Add(int64(0), int64(-1), "", int64(100))
	f.Add(int64(10), int64(5), "", int64(100))
	f.Add(int64(3), int64(-1), "bytes 3-3/4", int64(-1))
	f.Fuzz(func(t *testing.T, off, n int64, cr string, cl int64) {
		opts := backend.GetOptions{Offset: off, Length: n}
		if backend.CheckGet("k", opts) != nil || n == 0 {
			t.Skip("not a Get that sends a GET")
		}
		s, err := s3core.ReadSpan("k", opts, cr, cl)
		if err != nil {
			if !errors.Is(err, backend.ErrUnavailable) && !errors.Is(err, backend.ErrInvalidArgument) {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		if s.Size < 0 {
			if s.Length != -1 || s.Skip != 0 || s3core.RangeHeader(opts) != "" {
				t.Fatalf("unknown size with %+v for %+v", s, opts)
			}
			return
		}
		if s.Skip < 0 || s.Length < 0 || s.Skip+s.Length > s.Size || (n > 0 && s.Length > n) {
			t.Fatalf("span %+v for %+v, %q, %d", s, opts, cr, cl)
		}
		if cr != "" && s.Length < min(n, s.Size-off) && n > 0 {
			t.Fatalf("span %+v is shorter than the range %+v", s, opts)
		}
	})
}
