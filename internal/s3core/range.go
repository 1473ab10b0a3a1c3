package s3core

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// RangeHeader returns the Range header of a Get of opts (checked by
// backend.CheckGet, Length not 0), or "" when opts asks for the whole
// object. A range whose last byte would overflow an int64 is sent
// open-ended ("bytes=N-").
func RangeHeader(opts backend.GetOptions) string {
	off := strconv.FormatInt(opts.Offset, 10)
	switch {
	case opts.Offset == 0 && opts.Length < 0:
		return ""
	case opts.Length > 0 && opts.Length <= math.MaxInt64-opts.Offset:
		return "bytes=" + off + "-" + strconv.FormatInt(opts.Offset+opts.Length-1, 10)
	}
	return "bytes=" + off + "-"
}

// RangeNotSatisfiable reports whether a is the answer to a range that
// starts at or past the end of the object: 416, whose code is
// InvalidRange.
func (a Answer) RangeNotSatisfiable() bool {
	return a.Status == http.StatusRequestedRangeNotSatisfiable || a.Code == "InvalidRange"
}

// EmptyRange answers a Get of opts whose range holds no bytes by the
// server's word, from the object's info that stat (the driver's HEAD)
// returns: a Get of no bytes (Length 0, which sends no GET; rangeErr nil)
// or one answered 416 (rangeErr, the SDK's error; S3 has no empty range,
// so it answers 416 at the end of an object too). The range starts:
//
//   - at the end (or no bytes were asked for): info and an empty reader;
//   - past the end: ErrInvalidArgument (backend.ResolveRange);
//   - before the end, after a 416: the object grew, or was replaced,
//     between the GET and the HEAD: ErrServerBusy, wrapping rangeErr. Not
//     ErrInvalidArgument, which would fail for good a Get whose range is
//     valid for the object as it now is; not ErrUnavailable, which would
//     mark a sound endpoint down. A race that another attempt settles, as
//     ConditionalRequestConflict is: the retry layer backs off and tries
//     again.
//
// A precondition of opts that info fails is its error first.
func EmptyRange(ctx context.Context, key string, opts backend.GetOptions, rangeErr error,
	stat func(ctx context.Context, op, key string) (backend.ObjectInfo, error)) (io.ReadCloser, backend.ObjectInfo, error) {
	info, err := stat(ctx, "get", key)
	if err == nil {
		err = backend.CheckConditions("get", key, info, opts)
	}
	var n int64
	if err == nil {
		_, n, err = backend.ResolveRange(key, info.Size, opts)
	}
	if err == nil && n > 0 && rangeErr != nil {
		err = backend.NewError("get", key, backend.ErrServerBusy, fmt.Errorf(
			"the object changed while it was read (%d bytes from offset %d now, after a 416 answer): %w",
			info.Size, opts.Offset, rangeErr))
	}
	if err != nil {
		return nil, backend.ObjectInfo{}, err
	}
	return http.NoBody, info, nil
}

// Span is what the body of a GET answer holds (ReadSpan).
type Span struct {
	// Size of the whole object; -1 when the answer does not say (a whole
	// object without Content-Length: the driver asks a HEAD, or fails).
	Size int64
	// Skip is what precedes the range in the body: the server ignored the
	// Range header and sent the whole object.
	Skip int64
	// Length of the range after Skip; -1 when Size is. A body that ends
	// sooner is a broken transfer; bytes after them are not the caller's.
	Length int64
}

// ReadSpan reads the Span of the answer to a GET of opts whose Range
// header was RangeHeader(opts), from the answer's Content-Range (""
// when absent) and Content-Length (-1 when absent). A server that
// ignored the Range sends the whole object without Content-Range.
//
// A Content-Range that does not parse or does not hold the range asked
// for (another start, fewer bytes), or disagrees with the Content-Length,
// or a range answered without either header, is ErrUnavailable: like a
// body cut short (or of another length, as backend.ExactRange has it), an
// answer broken on its way, by the endpoint or what stands before it,
// which another attempt, on another endpoint if there is one, may get
// whole. Not ErrServerBusy: the server did not ask to be left alone, and
// backing off does not mend its answer. An offset past the end of a whole
// object sent instead of a range is ErrInvalidArgument.
func ReadSpan(key string, opts backend.GetOptions, contentRange string, contentLength int64) (Span, error) {
	if contentRange != "" {
		start, end, total, ok := parseContentRange(contentRange)
		if !ok {
			return Span{}, brokenAnswer(key, "malformed Content-Range %q", contentRange)
		}
		// start < total, so an offset equal to start is not past the end.
		_, want, _ := backend.ResolveRange(key, total, opts)
		switch {
		case start != opts.Offset || end-start+1 < want:
			return Span{}, brokenAnswer(key, "Content-Range %q does not hold the %d bytes from offset %d asked for",
				contentRange, want, opts.Offset)
		case contentLength >= 0 && contentLength != end-start+1:
			return Span{}, brokenAnswer(key, "Content-Range %q and Content-Length %d disagree", contentRange, contentLength)
		}
		return Span{Size: total, Length: want}, nil
	}
	if contentLength < 0 {
		if RangeHeader(opts) != "" {
			return Span{}, brokenAnswer(key, "the server answered a range request without Content-Range or Content-Length")
		}
		return Span{Size: -1, Length: -1}, nil
	}
	// The whole object, asked for or sent instead of the range.
	off, n, err := backend.ResolveRange(key, contentLength, opts)
	if err != nil {
		return Span{}, err
	}
	return Span{Size: contentLength, Skip: off, Length: n}, nil
}

func brokenAnswer(key, format string, args ...any) error {
	return backend.NewError("get", key, backend.ErrUnavailable, fmt.Errorf(format, args...))
}

// parseContentRange parses "bytes START-END/TOTAL" (RFC 9110 section
// 14.4; the unit's case does not matter) with START <= END < TOTAL. The
// forms with "*" (the unsatisfied range of a 416, an unknown total) do
// not describe the body of a successful Get of S3 and are refused.
func parseContentRange(v string) (start, end, total int64, ok bool) {
	unit, spec, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return 0, 0, 0, false
	}
	r, t, ok1 := strings.Cut(strings.TrimSpace(spec), "/")
	s, e, ok2 := strings.Cut(r, "-")
	start, ok3 := digits(s)
	end, ok4 := digits(e)
	total, ok5 := digits(t)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || start > end || end >= total {
		return 0, 0, 0, false
	}
	return start, end, total, true
}

// digits parses a decimal number of ASCII digits only (no sign, no
// space: strconv.ParseInt alone accepts "+1").
func digits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
