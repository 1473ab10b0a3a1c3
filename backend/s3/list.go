package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// ListObjectsV2 makes one ListObjectsV2 request for the listing engine
// (internal/s3core, list.go).
func (u uploader) ListObjectsV2(ctx context.Context, req s3core.ListRequest) (s3core.ListAnswer, error) {
	in := &s3.ListObjectsV2Input{
		Bucket:  aws.String(u.d.bucket),
		MaxKeys: aws.Int32(int32(req.MaxKeys)),
	}
	if req.Prefix != "" {
		in.Prefix = aws.String(req.Prefix)
	}
	if req.Delimiter != "" {
		in.Delimiter = aws.String(req.Delimiter)
	}
	if req.StartAfter != "" {
		in.StartAfter = aws.String(req.StartAfter)
	}
	if req.ContinuationToken != "" {
		in.ContinuationToken = aws.String(req.ContinuationToken)
	}
	out, err := u.d.client.ListObjectsV2(ctx, in, u.d.callOpts...)
	if err != nil {
		return s3core.ListAnswer{}, wrapErr("list", req.Prefix, err)
	}
	ans := s3core.ListAnswer{
		URLEncoded:            out.EncodingType == types.EncodingTypeUrl,
		IsTruncated:           aws.ToBool(out.IsTruncated),
		NextContinuationToken: aws.ToString(out.NextContinuationToken),
		ServerIsMinIO:         u.KnownMinIO(), // from this answer's Server header (conflict.go)
	}
	for _, o := range out.Contents {
		ans.Objects = append(ans.Objects, backend.ObjectInfo{
			Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), LastModified: aws.ToTime(o.LastModified), ETag: aws.ToString(o.ETag),
		})
	}
	for _, p := range out.CommonPrefixes {
		ans.Prefixes = append(ans.Prefixes, aws.ToString(p.Prefix))
	}
	return ans, nil
}

// KnownMinIO reports whether an answer came from MinIO (conflict.go):
// then the engine lists with MinIO's continuation tokens, through its
// listing cache.
func (u uploader) KnownMinIO() bool { return u.d.server.Load() == serverMinIO }
