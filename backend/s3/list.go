package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/objstore-dev/objstore/backend"
)

// List returns one page with ListObjectsV2. The token is the last key of
// the previous page, sent as StartAfter: it is stateless, outlives the
// driver, and means the same on every S3 server (continuation tokens are
// server-specific and may expire).
//
// Keys that are not valid object keys (a directory marker "dir/" made by
// another tool, for one) are skipped: the Backend contract never returns
// a key that Get could not accept.
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
	in := &s3.ListObjectsV2Input{
		Bucket:  aws.String(d.bucket),
		MaxKeys: aws.Int32(int32(opts.PageSize)),
	}
	if opts.Prefix != "" {
		in.Prefix = aws.String(opts.Prefix)
	}
	if opts.Token != "" {
		in.StartAfter = aws.String(opts.Token)
	}
	var page backend.ListPage
	for {
		out, err := d.client.ListObjectsV2(ctx, in, d.callOpts...)
		if err != nil {
			return backend.ListPage{}, wrapErr("list", opts.Prefix, err)
		}
		var last string
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			last = key
			if backend.ValidateKey("list", key) != nil {
				continue
			}
			page.Objects = append(page.Objects, backend.ObjectInfo{
				Key:          key,
				Size:         aws.ToInt64(o.Size),
				LastModified: aws.ToTime(o.LastModified).UTC(),
				ETag:         cleanETag(o.ETag),
			})
		}
		if !aws.ToBool(out.IsTruncated) {
			return page, nil
		}
		if len(page.Objects) > 0 {
			// The last key the server sent, skipped or not.
			page.NextToken = last
			return page, nil
		}
		// A truncated page of nothing but skipped keys: go on.
		if last == "" {
			if out.NextContinuationToken == nil {
				return page, nil
			}
			in.ContinuationToken = out.NextContinuationToken
			in.StartAfter = nil
			continue
		}
		in.StartAfter = aws.String(last)
	}
}
