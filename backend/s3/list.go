package s3

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/objstore-dev/objstore/backend"
)

// List returns one page with ListObjectsV2. The token is the last entry
// of the previous page (a key, or a common prefix with its "/"), sent as
// StartAfter: it is stateless, outlives the driver, sees keys written
// after it was made, and means the same on every S3 server (continuation
// tokens are server-specific, and MinIO's point into a cached listing
// that misses later writes). opts.StartAfter is sent the same way.
//
// A directory listing (Delimiter "/") sends the delimiter, so the server
// rolls up the keys below each common prefix and counts the prefix as
// one entry of MaxKeys. After a prefix "P/" the listing goes on after
// "P/" followed by the largest rune, so that the server skips P's keys
// rather than listing P again. Entries that do not sort after the start
// are dropped: S3 lists the prefix that holds StartAfter ("a/" for
// "a/x"), which sorts before it.
//
// Keys that objstore would not write (a folder object "dir/" made by
// another tool, for one) are listed as they are, as the MinIO driver
// lists them, so that RemoveObjects removes them too
// (docs/foreign-keys.md).
func (d *Driver) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := d.check(ctx, "list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	if backend.PastPrefix(opts) {
		return backend.ListPage{}, nil
	}
	// A page is filled to PageSize+1 entries when that many remain: the
	// extra one proves that more follow, so that a NextToken always leads
	// to entries (a server's IsTruncated does not: MinIO says a listing
	// is truncated whenever its walk stopped at the limit, also with
	// nothing left, which made an empty last page). It is left for the
	// next page. A page holds at most maxListKeys-1 entries (999), so that
	// the extra one comes in the same request: one ListObjectsV2 a page.
	pageSize := min(opts.PageSize, maxListKeys-1)
	target := pageSize + 1
	var (
		ents     []listEntry
		after    = opts.Token // list the entries after this one
		verified bool         // after is sent in MinIO's own marker form
	)
	if after == "" {
		after = opts.StartAfter
	}
	for {
		want := min(target-len(ents), maxListKeys)
		in := &s3.ListObjectsV2Input{
			Bucket:  aws.String(d.bucket),
			MaxKeys: aws.Int32(int32(want)),
		}
		if opts.Prefix != "" {
			in.Prefix = aws.String(opts.Prefix)
		}
		if opts.Delimiter != "" {
			in.Delimiter = aws.String(opts.Delimiter)
		}
		if after != "" {
			start := after
			if opts.Delimiter != "" && len(after) > len(opts.Prefix) && strings.HasSuffix(after, opts.Delimiter) {
				start += string(utf8.MaxRune) // past every key below the prefix
			}
			if verified {
				start += minioListTag
			}
			in.StartAfter = aws.String(start)
		}
		out, err := d.client.ListObjectsV2(ctx, in, d.callOpts...)
		if err != nil {
			return backend.ListPage{}, wrapErr("list", opts.Prefix, err)
		}
		last, kept := after, len(ents)
		got := len(out.Contents) + len(out.CommonPrefixes)
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			last = max(last, key)
			if key <= after {
				continue
			}
			ents = append(ents, listEntry{name: key, obj: &backend.ObjectInfo{
				Key:  key,
				Size: aws.ToInt64(o.Size),
				// Listings carry milliseconds, HEAD and GET answers whole
				// seconds (Last-Modified): the same precision everywhere.
				LastModified: aws.ToTime(o.LastModified).UTC().Truncate(time.Second),
				ETag:         cleanETag(o.ETag),
			}})
		}
		for _, p := range out.CommonPrefixes {
			name := aws.ToString(p.Prefix)
			last = max(last, name)
			if name <= after {
				continue
			}
			ents = append(ents, listEntry{name: name})
		}
		slices.SortStableFunc(ents[kept:], func(a, b listEntry) int { return strings.Compare(a.name, b.name) })
		truncated := aws.ToBool(out.IsTruncated)
		switch {
		case len(ents) >= target:
			// More follow: the page ends at its last entry, and the next
			// one starts after it (entries skipped after it are skipped
			// again then).
			return pageOf(ents[:pageSize], ents[pageSize-1].name), nil
		case truncated && last == after:
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrServerBusy,
				errors.New("the server said the listing goes on but sent no key"))
		case truncated:
			// Go on after the last entry the server sent, skipped or not.
			after, verified = last, false
			continue
		case !verified && minioMayHaveCutShort(out, after, got, want):
			// This answer may have gaps: ask again from the same place.
			ents = ents[:kept]
			verified = true
			continue
		}
		return pageOf(ents, ""), nil
	}
}

// listEntry is an object or a common prefix of a listing.
type listEntry struct {
	name string // the key, or the prefix with its delimiter
	obj  *backend.ObjectInfo
}

// pageOf splits sorted entries into a page's objects and prefixes.
func pageOf(ents []listEntry, next string) backend.ListPage {
	page := backend.ListPage{NextToken: next}
	for _, e := range ents {
		if e.obj != nil {
			page.Objects = append(page.Objects, *e.obj)
		} else {
			page.Prefixes = append(page.Prefixes, e.name)
		}
	}
	return page
}

// maxListKeys is the most keys one ListObjectsV2 answer holds.
const maxListKeys = 1000

// minioListTag turns a StartAfter marker into the form MinIO gives its own
// continuation tokens ("KEY[minio_cache:v2,return:]"), which makes it list
// through its listing cache rather than with a direct disk walk.
const minioListTag = "[minio_cache:v2,return:]"

// minioMayHaveCutShort reports whether a final page from MinIO may have
// ended the listing too early.
//
// MinIO (checked with the version pinned in tools.mk) lists with a direct
// disk walk when the request has a StartAfter marker, and stops the walk
// after MaxKeys+1 objects. When the marker is below a "directory"
// ("a/b"), the walk also counts objects that sort between the directory's
// name and the marker ("a b", "a-b", "a.b": every name that starts with
// "a" and a character below '/'), which are then dropped as not after
// the marker. The answer then has fewer keys than asked and says it is
// complete although keys remain: a silently truncated listing. (Its own
// continuation tokens take another path, through a listing cache, that
// does not have this bug.)
//
// The keys such an answer does hold need not be the first ones after the
// marker either (we have seen "a0" returned and "a/c/d" left out). So a
// final page from MinIO that is short of what was asked and followed a
// marker with a '/' is asked for again, with the marker in MinIO's token
// form. A page that is not final is full, and then no object was
// miscounted: it is right as it is.
func minioMayHaveCutShort(out *s3.ListObjectsV2Output, after string, got, want int) bool {
	if !strings.Contains(after, "/") || got >= want {
		return false
	}
	resp, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response)
	return ok && strings.EqualFold(resp.Header.Get("Server"), "MinIO")
}
