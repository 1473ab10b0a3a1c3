package s3core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// Rule is one lifecycle rule of a bucket as the lifecycle engine sees it;
// the adapter converts its SDK's rules to and from it (Buckets).
type Rule struct {
	ID      string
	Enabled bool
	// Prefix is the prefix the rule filters by ("" the whole bucket; the
	// legacy top-level prefix counts), when PrefixOnly: it has no other
	// filter (tags, object sizes).
	Prefix     string
	PrefixOnly bool
	// Days is the expiry of current objects, in days after their
	// creation; 0 is none (or an expiry by date).
	Days int
	// Other reports whether the rule does more than expire current
	// objects (transitions, noncurrent versions, incomplete uploads, ...).
	Other bool
	// Native is the SDK's rule that the adapter read, nil for a new rule.
	// PutLifecycle writes a native rule back as it was, without its
	// expiration when Days is 0; a new one is an enabled rule of ID that
	// filters by Prefix and expires after Days.
	Native any
}

// RuleIDPrefix starts the ID of the lifecycle rules SetExpiry writes; both
// drivers use the same IDs, so either edits the other's rules.
const RuleIDPrefix = "objstore-expiry-"

// maxExpiryDays caps the days of a rule: S3's field is a 32-bit integer.
const maxExpiryDays = 1 << 30

// expires reports whether r is an expiry rule SetExpiry and Expiry
// handle: current objects after a number of days, filtered by prefix
// alone.
func (r Rule) expires() bool { return r.PrefixOnly && r.Days > 0 }

// CheckExpiry checks the arguments of SetExpiry.
func CheckExpiry(prefix string, days int) error {
	if err := backend.ValidatePrefix("set-expiry", prefix); err != nil {
		return err
	}
	if days < 0 {
		return backend.NewError("set-expiry", prefix, backend.ErrInvalidArgument, fmt.Errorf("days %d is negative (0 removes the rule)", days))
	}
	return nil
}

// SetExpiry makes the store delete the objects under prefix once they are
// older than days days, by editing the bucket's lifecycle configuration:
// the expiry of that exact prefix is replaced (or added); days 0 removes
// it. Rules of other prefixes, rules with other filters (tags, sizes) and
// the other actions of a rule are kept. The read-modify-write is not
// atomic: concurrent SetExpiry calls on one bucket may lose a change. The
// arguments are CheckExpiry's.
func SetExpiry(ctx context.Context, a Buckets, prefix string, days int) error {
	const op = "set-expiry"
	rules, err := lifecycleRules(ctx, a, op, prefix)
	if err != nil {
		return err
	}
	kept := rules[:0]
	for _, r := range rules {
		if r.expires() && r.Prefix == prefix {
			r.Days = 0 // replaced below; the rule's other actions stay
			if !r.Other {
				continue
			}
		}
		kept = append(kept, r)
	}
	if days > 0 {
		sum := sha256.Sum256([]byte(prefix))
		kept = append(kept, Rule{
			ID: RuleIDPrefix + hex.EncodeToString(sum[:8]), Enabled: true,
			Prefix: prefix, PrefixOnly: true, Days: min(days, maxExpiryDays),
		})
	}
	if err := a.PutLifecycle(ctx, kept); err != nil {
		return a.Err(op, prefix, err)
	}
	return nil
}

// Expiry returns the expiry rules of the bucket: prefix → days, for every
// enabled rule that expires current objects after a number of days and
// filters by prefix only (whoever wrote it).
func Expiry(ctx context.Context, a Buckets) (map[string]int, error) {
	rules, err := lifecycleRules(ctx, a, "expiry", "")
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rules {
		if r.expires() && r.Enabled {
			out[r.Prefix] = r.Days
		}
	}
	return out, nil
}

// lifecycleRules reads the bucket's lifecycle rules; no configuration is
// no rules. Servers without lifecycle support (versitygw) answer
// NotImplemented: ErrNotSupported.
func lifecycleRules(ctx context.Context, a Buckets, op, prefix string) ([]Rule, error) {
	rules, err := a.GetLifecycle(ctx)
	if err != nil {
		if a.AnswerOf(err).Code == "NoSuchLifecycleConfiguration" {
			return nil, nil
		}
		return nil, a.Err(op, prefix, err)
	}
	return rules, nil
}
