package minio

import (
	"context"
	"encoding/base64"
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
// The token is in the form of MinIO's continuation tokens (see list).
// MinIO makes them stateless (they encode the last key listed, and a
// listing cache they name that is gone is rebuilt from it), so a token can
// be reused and is valid on every node of a cluster. It is not replaced by
// a plain start-after with the last key: MinIO ends a listing early when
// the start-after key lies inside a "directory" (start-after "a/b" lists
// the rest of "a/" and reports the listing complete), while its
// continuation tokens do not have that defect.
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

// maxListKeys is the most keys one ListObjectsV2 answer holds (S3's
// limit, and MinIO's).
const maxListKeys = 1000

// list returns one page of at most pageSize objects after token.
//
// A page has a NextToken only when at least one more object follows:
// MinIO says a listing is truncated whenever its walk stopped at the
// limit, also when nothing follows (page size 1 over 3 keys gave pages of
// 1, 1, 1 and 0 objects), so IsTruncated alone would hand out a token to
// an empty last page. The page is therefore filled to pageSize+1
// objects, with more requests while MinIO says more follow; the extra
// object proves that the listing goes on and is left for the next page.
//
// The token is MinIO's own form of a continuation token (base64 of
// "KEY[minio_cache:v2,...]"), made for the last key of the page with the
// tags of MinIO's last token (the id of its listing cache), or with
// "return:" (start a new cached listing) when it gave none; see
// nextToken.
func (d *Driver) list(ctx context.Context, prefix string, pageSize int, token string) (backend.ListPage, error) {
	objs := make([]backend.ObjectInfo, 0, min(pageSize+1, maxListKeys))
	for {
		res, err := d.listOnce(ctx, prefix, min(pageSize+1-len(objs), maxListKeys), token)
		if err != nil {
			return backend.ListPage{}, err
		}
		if objs, err = appendListed(objs, res); err != nil {
			return backend.ListPage{}, err
		}
		if len(objs) > pageSize {
			return backend.ListPage{
				Objects:   objs[:pageSize],
				NextToken: nextToken(objs[pageSize-1].Key, res.NextContinuationToken),
			}, nil
		}
		if !res.IsTruncated {
			return backend.ListPage{Objects: objs}, nil
		}
		if res.NextContinuationToken == "" || res.NextContinuationToken == token {
			return backend.ListPage{}, backend.NewError("list", prefix, backend.ErrServerBusy,
				fmt.Errorf("the server said the listing goes on but gave no new continuation token"))
		}
		token = res.NextContinuationToken
	}
}

// listOnce makes one ListObjectsV2 request.
func (d *Driver) listOnce(ctx context.Context, prefix string, maxKeys int, token string) (*minio.ListBucketV2Result, error) {
	q := url.Values{}
	q.Set("list-type", "2")
	q.Set("encoding-type", "url")
	q.Set("prefix", prefix)
	q.Set("max-keys", strconv.Itoa(maxKeys))
	if token != "" {
		q.Set("continuation-token", token)
	}
	var res minio.ListBucketV2Result
	if err := d.getBucketXML(ctx, q, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// appendListed appends the objects of a ListObjectsV2 answer to objs.
func appendListed(objs []backend.ObjectInfo, res *minio.ListBucketV2Result) ([]backend.ObjectInfo, error) {
	for _, o := range res.Contents {
		key := o.Key
		if res.EncodingType == "url" {
			var err error
			if key, err = url.QueryUnescape(o.Key); err != nil {
				return nil, fmt.Errorf("undecodable key %q in the listing: %w", o.Key, err)
			}
		}
		objs = append(objs, backend.ObjectInfo{
			Key:  key,
			Size: o.Size,
			// HEAD and GET carry the time as an HTTP date, to the
			// second; listings have milliseconds. Cut them to the second
			// so that List, Stat and Get agree.
			LastModified: o.LastModified.UTC().Truncate(time.Second),
			ETag:         strings.Trim(o.ETag, `"`),
		})
	}
	return objs, nil
}

// minioMarkerTags starts the tags MinIO appends to the key in its
// continuation tokens; "return:" asks it for a new cached listing.
const (
	minioMarkerTags = "[minio_cache:"
	minioNewListing = "[minio_cache:v2,return:]"
)

// nextToken returns the continuation token that lists the keys after key:
// MinIO's token form (cmd/metacache-marker.go: base64 of the key followed
// by its tags), with the tags of minioNext, MinIO's own next token (which
// points further, past the extra object), so that the next page reads on
// from the same listing cache; without them, a new cached listing. The
// tag form matters: a bare key is a start-after marker, which MinIO lists
// with a direct walk that can end early (see List).
func nextToken(key, minioNext string) string {
	tags := minioNewListing
	if raw, err := base64.StdEncoding.DecodeString(minioNext); err == nil {
		if i := strings.LastIndex(string(raw), minioMarkerTags); i >= 0 && strings.HasSuffix(string(raw), "]") {
			tags = string(raw[i:])
		}
	}
	return base64.StdEncoding.EncodeToString([]byte(key + tags))
}
