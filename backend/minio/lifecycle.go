package minio

import (
	"context"

	"github.com/minio/minio-go/v7/pkg/lifecycle"

	"github.com/objstore-dev/objstore/internal/s3core"
)

// GetLifecycle reads the bucket's lifecycle rules (s3core.Buckets; the
// engine is s3core's SetExpiry and Expiry).
func (u uploader) GetLifecycle(ctx context.Context) ([]s3core.Rule, error) {
	cfg, err := u.d.client.GetBucketLifecycle(ctx, u.d.bucket)
	if err != nil {
		return nil, err
	}
	rules := make([]s3core.Rule, len(cfg.Rules))
	for i, r := range cfg.Rules {
		f, prefix := r.RuleFilter, r.Prefix // the legacy top-level prefix; "" is the whole bucket
		if f.Prefix != "" {
			prefix = f.Prefix
		} else if f.And.Prefix != "" {
			prefix = f.And.Prefix
		}
		rules[i] = s3core.Rule{
			ID: r.ID, Enabled: r.Status == "Enabled", Prefix: prefix, Days: int(r.Expiration.Days), Native: r,
			PrefixOnly: f.Tag.Key == "" && f.ObjectSizeLessThan == 0 && f.ObjectSizeGreaterThan == 0 &&
				len(f.And.Tags) == 0 && f.And.ObjectSizeLessThan == 0 && f.And.ObjectSizeGreaterThan == 0,
			Other: !r.Transition.IsNull() || !r.NoncurrentVersionExpiration.IsDaysNull() ||
				!r.NoncurrentVersionTransition.IsDaysNull() || !r.AbortIncompleteMultipartUpload.IsDaysNull() ||
				r.DelMarkerExpiration.Days != 0 || r.AllVersionsExpiration.Days != 0 ||
				r.Compression != nil || r.NoncurrentVersionCompression != nil,
		}
	}
	return rules, nil
}

// PutLifecycle writes rules (s3core.Buckets); minio-go removes the
// configuration when there are none.
func (u uploader) PutLifecycle(ctx context.Context, rules []s3core.Rule) error {
	cfg := lifecycle.NewConfiguration()
	for _, r := range rules {
		n, ok := r.Native.(lifecycle.Rule)
		switch {
		case !ok:
			n = lifecycle.Rule{
				ID: r.ID, Status: "Enabled", RuleFilter: lifecycle.Filter{Prefix: r.Prefix},
				Expiration: lifecycle.Expiration{Days: lifecycle.ExpirationDays(r.Days)},
			}
		case r.Days == 0:
			n.Expiration = lifecycle.Expiration{}
		}
		cfg.Rules = append(cfg.Rules, n)
	}
	return u.d.client.SetBucketLifecycle(ctx, u.d.bucket, cfg)
}
