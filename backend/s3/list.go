package s3

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/objstore-dev/objstore/backend"
)

// List returns one page with ListObjectsV2. The token is the last key of
// the previous page, sent as StartAfter: it is stateless, outlives the
// driver, sees keys written after it was made, and means the same on every
// S3 server (continuation tokens are server-specific, and MinIO's point
// into a cached listing that misses later writes).
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
	if err := d.check("list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.ListPage{}, backend.NewError("list", opts.Prefix, nil, err)
	}
	// A page is filled to PageSize+1 objects when that many remain: the
	// extra one proves that more follow, so that a NextToken always leads
	// to objects (a server's IsTruncated does not: MinIO says a listing
	// is truncated whenever its walk stopped at the limit, also with
	// nothing left, which made an empty last page). It is left for the
	// next page.
	target := opts.PageSize + 1
	var (
		page     backend.ListPage
		after    = opts.Token // list the keys after this one
		verified bool         // after is sent in MinIO's own marker form
	)
	for {
		want := min(target-len(page.Objects), maxListKeys)
		in := &s3.ListObjectsV2Input{
			Bucket:  aws.String(d.bucket),
			MaxKeys: aws.Int32(int32(want)),
		}
		if opts.Prefix != "" {
			in.Prefix = aws.String(opts.Prefix)
		}
		if after != "" {
			in.StartAfter = aws.String(after)
			if verified {
				in.StartAfter = aws.String(after + minioListTag)
			}
		}
		out, err := d.client.ListObjectsV2(ctx, in, d.callOpts...)
		if err != nil {
			return backend.ListPage{}, wrapErr("list", opts.Prefix, err)
		}
		last, kept := after, len(page.Objects)
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			last = key
			page.Objects = append(page.Objects, backend.ObjectInfo{
				Key:  key,
				Size: aws.ToInt64(o.Size),
				// Listings carry milliseconds, HEAD and GET answers whole
				// seconds (Last-Modified): the same precision everywhere.
				LastModified: aws.ToTime(o.LastModified).UTC().Truncate(time.Second),
				ETag:         cleanETag(o.ETag),
			})
		}
		truncated := aws.ToBool(out.IsTruncated)
		switch {
		case len(page.Objects) >= target:
			// More follow: the page ends at its last object, and the next
			// one starts after it (keys skipped after it are skipped
			// again then).
			page.Objects = page.Objects[:opts.PageSize]
			page.NextToken = page.Objects[opts.PageSize-1].Key
			return page, nil
		case truncated && last == after:
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrServerBusy,
				errors.New("the server said the listing goes on but sent no key"))
		case truncated:
			// Go on after the last key the server sent, skipped or not.
			after, verified = last, false
			continue
		case !verified && minioMayHaveCutShort(out, after, len(out.Contents), want):
			// This answer may have gaps: ask again from the same place.
			page.Objects = page.Objects[:kept]
			verified = true
			continue
		}
		return page, nil
	}
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
