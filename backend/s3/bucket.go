package s3

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/s3core"
)

// The bucket requests of s3core.Buckets; the engines (bucket creation and
// removal, expiry rules) are s3core's.
var _ s3core.Adapter = uploader{}

func (u uploader) BucketExists(ctx context.Context) (bool, error) {
	_, err := u.d.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(u.d.bucket)}, u.d.callOpts...)
	if err != nil && kindOf(err) == backend.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

func (u uploader) CreateBucket(ctx context.Context) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(u.d.bucket)}
	if u.d.region != "" && u.d.region != defaultRegion {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(u.d.region),
		}
	}
	_, err := u.d.client.CreateBucket(ctx, in, u.d.callOpts...)
	return err
}

func (u uploader) DeleteBucket(ctx context.Context) error {
	_, err := u.d.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(u.d.bucket)}, u.d.callOpts...)
	return err
}

// Health reports whether the server answers and can serve the bucket,
// with one HeadBucket: Live when any HTTP answer came back, Ready when it
// was a success.
func (d *Driver) Health(ctx context.Context) ([]backend.EndpointHealth, error) {
	if err := d.check(ctx, "health", ""); err != nil {
		return nil, err
	}
	h := backend.EndpointHealth{Endpoint: d.endpointName()}
	start := time.Now()
	_, err := d.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(d.bucket)}, d.callOpts...)
	h.Latency = time.Since(start)
	if err != nil {
		h.Live = answerOf(err).Status > 0
		h.Err = backend.NewError("health", d.bucket, kindOf(err), err)
	} else {
		h.Live, h.Ready = true, true
	}
	return []backend.EndpointHealth{h}, nil
}

// endpointName is the endpoint as reported by Health and used by the
// failover wrapper: the configured base URL, or AWS's regional one.
func (d *Driver) endpointName() string {
	if d.endpoint != "" {
		return d.endpoint
	}
	return "https://s3." + d.region + ".amazonaws.com"
}
