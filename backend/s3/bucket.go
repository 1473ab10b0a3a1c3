package s3

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
)

// ensureBucket creates the bucket unless it exists (Config.CreateBucket).
// A bucket that someone else owns is ErrPermission.
func (d *Driver) ensureBucket(ctx context.Context) error {
	_, err := d.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(d.bucket)}, d.callOpts...)
	if err == nil {
		return nil
	}
	if kindOf(err) != backend.ErrNotFound {
		return backend.NewError("create-bucket", d.bucket, kindOf(err), err)
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(d.bucket)}
	if d.region != "" && d.region != defaultRegion {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(d.region),
		}
	}
	_, err = d.client.CreateBucket(ctx, in, d.callOpts...)
	switch {
	case err == nil:
		return nil
	case answerOf(err).Code == "BucketAlreadyOwnedByYou":
		return nil // created meanwhile by another client of ours
	case answerOf(err).Code == "BucketAlreadyExists":
		return backend.NewError("create-bucket", d.bucket, backend.ErrPermission,
			fmt.Errorf("the bucket name is taken by another account: %w", err))
	}
	return backend.NewError("create-bucket", d.bucket, kindOf(err), err)
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
