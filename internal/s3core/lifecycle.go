package s3core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// Rule is a bucket's lifecycle rule as SetExpiry and Expiry see it; the
// adapter converts its SDK's rules to and from it (Buckets).
type Rule struct {
	ID      string
	Enabled bool
	Prefix  string // the prefix filter, or the legacy top-level prefix; "" is the whole bucket
	// PrefixOnly: the rule has no other filter (tags, object sizes).
	PrefixOnly bool
	Days       int  // the expiry of current objects; 0: none, or by date
	Other      bool // other actions: transitions, noncurrent versions, incomplete uploads, ...
	// Native is the SDK's rule that was read, written back as it was (but
	// without its expiration when Days is 0); nil for a new rule, written
	// as an enabled rule of ID, filter Prefix and expiry Days.
	Native any
}

// RuleIDPrefix starts the ID of the lifecycle rules SetExpiry writes; both
// drivers use the same IDs, so either edits the other's rules.
const RuleIDPrefix = "objstore-expiry-"

// expires reports whether r expires current objects after a number of
// days and filters by prefix alone: a rule of SetExpiry and Expiry.
func (r Rule) expires() bool { return r.PrefixOnly && r.Days > 0 }

// SetExpiry makes the store delete the objects under prefix once they are
// older than days days, by editing the bucket's lifecycle configuration:
// the expiry of that exact prefix is replaced (or added); days 0 removes
// it. Rules of other prefixes, rules with other filters (tags, sizes) and
// the other actions of a rule are kept. The read-modify-write is not
// atomic: concurrent SetExpiry calls on one bucket may lose a change.
// Servers without lifecycle support (versitygw) give ErrNotSupported.
func (m Methods) SetExpiry(ctx context.Context, prefix string, days int) error {
	const op = "set-expiry"
	if err := backend.ValidatePrefix(op, prefix); err != nil {
		return err
	}
	if days < 0 {
		return backend.NewError(op, prefix, backend.ErrInvalidArgument, fmt.Errorf("days %d is negative (0 removes the rule)", days))
	}
	a := m.a
	rules, err := m.lifecycleRules(ctx, op, prefix)
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
		// S3's days are a 32-bit integer.
		kept = append(kept, Rule{ID: RuleIDPrefix + hex.EncodeToString(sum[:8]), Enabled: true, Prefix: prefix, PrefixOnly: true, Days: min(days, 1<<30)})
	}
	if err := a.PutLifecycle(ctx, kept); err != nil {
		return a.Err(op, prefix, err)
	}
	return nil
}

// Expiry returns the expiry rules of the bucket: prefix → days, for every
// enabled rule that expires current objects after a number of days and
// filters by prefix only (whoever wrote it).
func (m Methods) Expiry(ctx context.Context) (map[string]int, error) {
	rules, err := m.lifecycleRules(ctx, "expiry", "")
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

// lifecycleRules checks the guard and reads the bucket's lifecycle rules;
// no configuration is no rules.
func (m Methods) lifecycleRules(ctx context.Context, op, prefix string) ([]Rule, error) {
	if err := m.guard.Ready(ctx, op, prefix); err != nil {
		return nil, err
	}
	a := m.a
	rules, err := a.GetLifecycle(ctx)
	if err != nil && a.AnswerOf(err).Code != "NoSuchLifecycleConfiguration" {
		return nil, a.Err(op, prefix, err)
	}
	return rules, nil
}
