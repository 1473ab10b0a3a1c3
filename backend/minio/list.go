package minio

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
)

// List returns one page with one ListObjectsV2 request.
//
// The request is made here, signed with minio-go's signer, rather than
// through minio-go: its Core.ListObjectsV2 takes no context (so neither a
// cancellation nor the failover wrapper's per-attempt timeout could stop
// it), and its ListObjects iterators hide whether a page was the last one.
//
// The token is MinIO's continuation token. MinIO makes it stateless (it
// encodes the last key listed, not a server-side cursor), so it can be
// reused and is valid on every node of a cluster. It is not replaced by
// start-after with the last key: MinIO ends a listing early when the
// start-after key lies inside a "directory" (start-after "a/b" lists the
// rest of "a/" and reports the listing complete), while its continuation
// tokens do not have that defect.
func (d *Driver) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := d.check(ctx, "list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	page, err := d.list(ctx, opts.Prefix, opts.PageSize, opts.Token)
	if err != nil {
		return backend.ListPage{}, d.err("list", opts.Prefix, err)
	}
	return page, nil
}

// list makes one ListObjectsV2 request.
func (d *Driver) list(ctx context.Context, prefix string, pageSize int, token string) (backend.ListPage, error) {
	q := url.Values{}
	q.Set("list-type", "2")
	q.Set("encoding-type", "url")
	q.Set("prefix", prefix)
	q.Set("max-keys", strconv.Itoa(pageSize))
	if token != "" {
		q.Set("continuation-token", token)
	}
	var res minio.ListBucketV2Result
	if err := d.getBucketXML(ctx, q, &res); err != nil {
		return backend.ListPage{}, err
	}
	page := backend.ListPage{Objects: make([]backend.ObjectInfo, 0, len(res.Contents))}
	for _, o := range res.Contents {
		key := o.Key
		if res.EncodingType == "url" {
			var err error
			if key, err = url.QueryUnescape(o.Key); err != nil {
				return backend.ListPage{}, fmt.Errorf("undecodable key %q in the listing: %w", o.Key, err)
			}
		}
		page.Objects = append(page.Objects, backend.ObjectInfo{
			Key:  key,
			Size: o.Size,
			// HEAD and GET carry the time as an HTTP date, to the
			// second; listings have milliseconds. Cut them to the second
			// so that List, Stat and Get agree.
			LastModified: o.LastModified.UTC().Truncate(time.Second),
			ETag:         strings.Trim(o.ETag, `"`),
		})
	}
	if res.IsTruncated {
		if res.NextContinuationToken == "" || res.NextContinuationToken == token {
			return backend.ListPage{}, backend.NewError("list", prefix, backend.ErrServerBusy,
				fmt.Errorf("the server said the listing goes on but gave no new continuation token"))
		}
		page.NextToken = res.NextContinuationToken
	}
	return page, nil
}
