package minio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	minio "github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"

	"github.com/objstore-dev/objstore/backend"
)

// ruleIDPrefix starts the ID of the lifecycle rules SetExpiry writes.
const ruleIDPrefix = "objstore-expiry-"

// SetExpiry makes MinIO delete the objects under prefix once they are
// older than days days (the original client's SetServiceLifecycle), by
// editing the bucket's lifecycle configuration: the expiry rule of that
// exact prefix is replaced (or added); days 0 removes it. Rules of other
// prefixes, and rules with other filters (tags, sizes), are kept. The
// read-modify-write is not atomic: concurrent SetExpiry calls on one
// bucket may lose one of the changes.
func (d *Driver) SetExpiry(ctx context.Context, prefix string, days int) error {
	const op = "set-expiry"
	if err := backend.ValidatePrefix(op, prefix); err != nil {
		return err
	}
	if err := d.check(ctx, op, prefix); err != nil {
		return err
	}
	if days < 0 {
		return backend.NewError(op, prefix, backend.ErrInvalidArgument, fmt.Errorf("days %d is negative (0 removes the rule)", days))
	}
	cfg, err := d.lifecycle(ctx, op, prefix)
	if err != nil {
		return err
	}
	rules := cfg.Rules[:0]
	for _, r := range cfg.Rules {
		if p, ok := expiryPrefix(r); ok && p == prefix {
			// Replaced below; other actions of the rule stay.
			r.Expiration = lifecycle.Expiration{}
			if !hasOtherActions(r) {
				continue
			}
		}
		rules = append(rules, r)
	}
	if days > 0 {
		sum := sha256.Sum256([]byte(prefix))
		rules = append(rules, lifecycle.Rule{
			ID:         ruleIDPrefix + hex.EncodeToString(sum[:8]),
			Status:     "Enabled",
			RuleFilter: lifecycle.Filter{Prefix: prefix},
			Expiration: lifecycle.Expiration{Days: lifecycle.ExpirationDays(days)},
		})
	}
	cfg.Rules = rules
	if err := d.client.SetBucketLifecycle(ctx, d.bucket, cfg); err != nil {
		return d.err(op, prefix, err)
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
	cfg, err := d.lifecycle(ctx, op, "")
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range cfg.Rules {
		if p, ok := expiryPrefix(r); ok && r.Status == "Enabled" {
			out[p] = int(r.Expiration.Days)
		}
	}
	return out, nil
}

// lifecycle reads the bucket's lifecycle configuration; none is an empty
// one.
func (d *Driver) lifecycle(ctx context.Context, op, prefix string) (*lifecycle.Configuration, error) {
	cfg, err := d.client.GetBucketLifecycle(ctx, d.bucket)
	if err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchLifecycleConfiguration" {
			return lifecycle.NewConfiguration(), nil
		}
		return nil, d.err(op, prefix, err)
	}
	return cfg, nil
}

// expiryPrefix returns the prefix of a rule that expires objects after a
// number of days and filters by prefix alone.
func expiryPrefix(r lifecycle.Rule) (string, bool) {
	if r.Expiration.Days <= 0 {
		return "", false
	}
	f := r.RuleFilter
	if f.Tag.Key != "" || f.ObjectSizeLessThan != 0 || f.ObjectSizeGreaterThan != 0 {
		return "", false
	}
	if len(f.And.Tags) > 0 || f.And.ObjectSizeLessThan != 0 || f.And.ObjectSizeGreaterThan != 0 {
		return "", false
	}
	switch {
	case f.Prefix != "":
		return f.Prefix, true
	case f.And.Prefix != "":
		return f.And.Prefix, true
	default:
		return r.Prefix, true // the legacy top-level prefix; "" is the whole bucket
	}
}

// hasOtherActions reports whether a rule does more than expire current
// objects (transitions, noncurrent versions, incomplete uploads, ...).
func hasOtherActions(r lifecycle.Rule) bool {
	return !r.Expiration.IsNull() || !r.Transition.IsNull() ||
		!r.NoncurrentVersionExpiration.IsDaysNull() || !r.NoncurrentVersionTransition.IsDaysNull() ||
		!r.AbortIncompleteMultipartUpload.IsDaysNull() || r.DelMarkerExpiration.Days != 0 ||
		r.AllVersionsExpiration.Days != 0 || r.Compression != nil || r.NoncurrentVersionCompression != nil
}
