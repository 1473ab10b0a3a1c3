package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/internal/s3core"
)

// GetLifecycle reads the bucket's lifecycle rules (s3core.Buckets; the
// engine is s3core's SetExpiry and Expiry).
func (u uploader) GetLifecycle(ctx context.Context) ([]s3core.Rule, error) {
	out, err := u.d.client.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(u.d.bucket)}, u.d.callOpts...)
	if err != nil {
		return nil, err
	}
	rules := make([]s3core.Rule, len(out.Rules))
	for i, r := range out.Rules {
		rule := s3core.Rule{
			ID: aws.ToString(r.ID), Enabled: r.Status == types.ExpirationStatusEnabled, Native: r,
			Prefix: aws.ToString(r.Prefix), PrefixOnly: true, // the legacy top-level prefix; "" is the whole bucket
			Other: r.AbortIncompleteMultipartUpload != nil || r.NoncurrentVersionExpiration != nil ||
				len(r.NoncurrentVersionTransitions) > 0 || len(r.Transitions) > 0,
		}
		if r.Expiration != nil {
			rule.Days = int(aws.ToInt32(r.Expiration.Days))
		}
		if f := r.Filter; f != nil {
			rule.Prefix = aws.ToString(f.Prefix)
			rule.PrefixOnly = f.Tag == nil && f.ObjectSizeLessThan == nil && f.ObjectSizeGreaterThan == nil
			if a := f.And; a != nil {
				rule.Prefix = aws.ToString(a.Prefix)
				rule.PrefixOnly = rule.PrefixOnly && len(a.Tags) == 0 && a.ObjectSizeLessThan == nil && a.ObjectSizeGreaterThan == nil
			}
		}
		rules[i] = rule
	}
	return rules, nil
}

// PutLifecycle writes rules, or removes the configuration when there are
// none (s3core.Buckets).
func (u uploader) PutLifecycle(ctx context.Context, rules []s3core.Rule) error {
	bucket := aws.String(u.d.bucket)
	if len(rules) == 0 {
		_, err := u.d.client.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: bucket}, u.d.callOpts...)
		return err
	}
	native := make([]types.LifecycleRule, len(rules))
	for i, r := range rules {
		n, ok := r.Native.(types.LifecycleRule)
		switch {
		case !ok:
			n = types.LifecycleRule{
				ID: aws.String(r.ID), Status: types.ExpirationStatusEnabled,
				Filter:     &types.LifecycleRuleFilter{Prefix: aws.String(r.Prefix)},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(int32(r.Days))},
			}
		case r.Days == 0:
			n.Expiration = nil
		}
		native[i] = n
	}
	_, err := u.d.client.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: bucket, LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: native},
	}, u.d.callOpts...)
	return err
}
