package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/objstore-dev/objstore/backend"
)

var _ backend.Lifecycler = (*Driver)(nil)

// ruleIDPrefix starts the ID of the lifecycle rules SetExpiry writes; the
// MinIO driver uses the same IDs, so either driver edits the other's rules.
const ruleIDPrefix = "objstore-expiry-"

// SetExpiry makes the store delete the objects under prefix once they are
// older than days days, by editing the bucket's lifecycle configuration:
// the expiry of that exact prefix is replaced (or added); days 0 removes
// it. Rules of other prefixes, rules with other filters (tags, sizes) and
// the other actions of a rule are kept. The read-modify-write is not
// atomic: concurrent SetExpiry calls on one bucket may lose a change.
// Servers without lifecycle support (versitygw) give ErrNotSupported.
func (d *Driver) SetExpiry(ctx context.Context, prefix string, days int) error {
	const op = "set-expiry"
	if err := backend.ValidatePrefix(op, prefix); err != nil {
		return err
	}
	if days < 0 {
		return backend.NewError(op, prefix, backend.ErrInvalidArgument, fmt.Errorf("days %d is negative (0 removes the rule)", days))
	}
	if err := d.check(ctx, op, prefix); err != nil {
		return err
	}
	rules, err := d.lifecycleRules(ctx, op, prefix)
	if err != nil {
		return err
	}
	kept := rules[:0]
	for _, r := range rules {
		if p, ok := expiryPrefix(r); ok && p == prefix {
			r.Expiration = nil // replaced below; the rule's other actions stay
			if !hasOtherActions(r) {
				continue
			}
		}
		kept = append(kept, r)
	}
	if days > 0 {
		sum := sha256.Sum256([]byte(prefix))
		kept = append(kept, types.LifecycleRule{
			ID:         aws.String(ruleIDPrefix + hex.EncodeToString(sum[:8])),
			Status:     types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String(prefix)},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(int32(min(days, 1<<30)))},
		})
	}
	if len(kept) == 0 {
		_, err = d.client.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String(d.bucket)}, d.callOpts...)
	} else {
		_, err = d.client.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
			Bucket:                 aws.String(d.bucket),
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: kept},
		}, d.callOpts...)
	}
	if err != nil {
		return wrapErr(op, prefix, err)
	}
	return nil
}

// Expiry returns the expiry rules of the bucket: prefix → days, for every
// enabled rule that expires current objects after a number of days and
// filters by prefix only (whoever wrote it).
func (d *Driver) Expiry(ctx context.Context) (map[string]int, error) {
	const op = "expiry"
	if err := d.check(ctx, op, ""); err != nil {
		return nil, err
	}
	rules, err := d.lifecycleRules(ctx, op, "")
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rules {
		if p, ok := expiryPrefix(r); ok && r.Status == types.ExpirationStatusEnabled {
			out[p] = int(aws.ToInt32(r.Expiration.Days))
		}
	}
	return out, nil
}

// lifecycleRules reads the bucket's lifecycle rules; none is no rules.
func (d *Driver) lifecycleRules(ctx context.Context, op, prefix string) ([]types.LifecycleRule, error) {
	out, err := d.client.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(d.bucket)}, d.callOpts...)
	if err != nil {
		if answerOf(err).Code == "NoSuchLifecycleConfiguration" {
			return nil, nil
		}
		return nil, wrapErr(op, prefix, err)
	}
	return out.Rules, nil
}

// expiryPrefix returns the prefix of a rule that expires current objects
// after a number of days and filters by prefix alone.
func expiryPrefix(r types.LifecycleRule) (string, bool) {
	if r.Expiration == nil || aws.ToInt32(r.Expiration.Days) <= 0 {
		return "", false
	}
	f := r.Filter
	if f == nil {
		return aws.ToString(r.Prefix), true // the legacy top-level prefix; "" is the whole bucket
	}
	if f.Tag != nil || f.ObjectSizeLessThan != nil || f.ObjectSizeGreaterThan != nil {
		return "", false
	}
	if a := f.And; a != nil {
		if len(a.Tags) > 0 || a.ObjectSizeLessThan != nil || a.ObjectSizeGreaterThan != nil {
			return "", false
		}
		return aws.ToString(a.Prefix), true
	}
	return aws.ToString(f.Prefix), true
}

// hasOtherActions reports whether a rule does more than expire current
// objects (transitions, noncurrent versions, incomplete uploads, ...).
func hasOtherActions(r types.LifecycleRule) bool {
	return r.Expiration != nil || r.AbortIncompleteMultipartUpload != nil || r.NoncurrentVersionExpiration != nil ||
		len(r.NoncurrentVersionTransitions) > 0 || len(r.Transitions) > 0
}
