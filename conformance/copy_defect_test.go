package conformance_test

import (
	"context"

	"github.com/objstore-dev/objstore/backend"
)

// Copy is mem's, or the defect's when one sets b.copy.
func (b *broken) Copy(ctx context.Context, dst, src string, opts backend.CopyOptions) (backend.ObjectInfo, error) {
	if b.copy != nil {
		return b.copy(ctx, dst, src, opts)
	}
	return b.Backend.Copy(ctx, dst, src, opts)
}
