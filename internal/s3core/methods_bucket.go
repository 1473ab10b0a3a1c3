package s3core

import "context"

// buckets returns the bucket requests of the adapter, which every
// driver's adapter makes (each driver asserts it beside its adapter).
func (m Methods) buckets() Buckets { return m.a.(Buckets) }

// SetExpiry sets, replaces or removes (days 0) the expiry rule of prefix
// with the lifecycle engine (lifecycle.go); backend.Lifecycler.
func (m Methods) SetExpiry(ctx context.Context, prefix string, days int) error {
	if err := CheckExpiry(prefix, days); err != nil {
		return err
	}
	if err := m.guard.Ready(ctx, "set-expiry", prefix); err != nil {
		return err
	}
	return SetExpiry(ctx, m.buckets(), prefix, days)
}

// Expiry returns the bucket's expiry rules, prefix → days (lifecycle.go).
func (m Methods) Expiry(ctx context.Context) (map[string]int, error) {
	if err := m.guard.Ready(ctx, "expiry", ""); err != nil {
		return nil, err
	}
	return Expiry(ctx, m.buckets())
}
