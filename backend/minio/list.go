package minio

import (
	"context"
	"net/url"
	"strconv"

	minio "github.com/minio/minio-go/v7"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// ListObjectsV2 makes one ListObjectsV2 request for the listing engine
// (internal/s3core, list.go).
//
// The request is made here, signed with minio-go's signer, rather than
// through minio-go: its Core.ListObjectsV2 takes no context (so neither a
// cancellation nor the failover wrapper's per-attempt timeout could stop
// it), and its ListObjects iterators hide whether a page was the last one.
func (u uploader) ListObjectsV2(ctx context.Context, req s3core.ListRequest) (s3core.ListAnswer, error) {
	q := url.Values{}
	q.Set("list-type", "2")
	q.Set("encoding-type", "url")
	q.Set("prefix", req.Prefix)
	if req.Delimiter != "" {
		q.Set("delimiter", req.Delimiter)
	}
	q.Set("max-keys", strconv.Itoa(req.MaxKeys))
	if req.StartAfter != "" {
		q.Set("start-after", req.StartAfter)
	}
	if req.ContinuationToken != "" {
		q.Set("continuation-token", req.ContinuationToken)
	}
	var res minio.ListBucketV2Result
	if err := u.d.getBucketXML(ctx, q, &res); err != nil {
		return s3core.ListAnswer{}, u.d.err("list", req.Prefix, err)
	}
	ans := s3core.ListAnswer{
		URLEncoded:            res.EncodingType == "url",
		IsTruncated:           res.IsTruncated,
		NextContinuationToken: res.NextContinuationToken,
		ServerIsMinIO:         true,
	}
	for _, o := range res.Contents {
		ans.Objects = append(ans.Objects, backend.ObjectInfo{Key: o.Key, Size: o.Size, LastModified: o.LastModified, ETag: o.ETag})
	}
	for _, p := range res.CommonPrefixes {
		ans.Prefixes = append(ans.Prefixes, p.Prefix)
	}
	return ans, nil
}

// KnownMinIO is true: the driver speaks to MinIO, and lists with its
// continuation tokens.
func (u uploader) KnownMinIO() bool { return true }
