package prefix

import (
	"fmt"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// base is what compose builds on: the view's own methods (those of
// *Backend), without Unwrap.
type base interface {
	backend.Backend
	backend.KeyChecker
	fmt.Stringer
	Prefix() string
}

// compose returns b with the capabilities of c: the result has the
// methods of base, served by b, and for each non-nil field of c that
// capability's methods, served by the field's value, and no other method.
//
// It is observe.Compose without Unwrap: observe.Base requires
// backend.Wrapper, which a view must not have (backend.As would look
// through it and find the inner backend's capabilities, which take inner
// keys). Go cannot add methods to a type at run time, so the sixteen
// cases are spelled out.
func compose(b base, c observe.Caps) backend.Backend {
	mask := 0
	for i, has := range []bool{c.BatchRemover != nil, c.HealthChecker != nil, c.Presigner != nil, c.Lifecycler != nil} {
		if has {
			mask |= 1 << i
		}
	}
	switch mask {
	case 0b0001:
		return struct {
			base
			backend.BatchRemover
		}{b, c.BatchRemover}
	case 0b0010:
		return struct {
			base
			backend.HealthChecker
		}{b, c.HealthChecker}
	case 0b0011:
		return struct {
			base
			backend.BatchRemover
			backend.HealthChecker
		}{b, c.BatchRemover, c.HealthChecker}
	case 0b0100:
		return struct {
			base
			backend.Presigner
		}{b, c.Presigner}
	case 0b0101:
		return struct {
			base
			backend.BatchRemover
			backend.Presigner
		}{b, c.BatchRemover, c.Presigner}
	case 0b0110:
		return struct {
			base
			backend.HealthChecker
			backend.Presigner
		}{b, c.HealthChecker, c.Presigner}
	case 0b0111:
		return struct {
			base
			backend.BatchRemover
			backend.HealthChecker
			backend.Presigner
		}{b, c.BatchRemover, c.HealthChecker, c.Presigner}
	case 0b1000:
		return struct {
			base
			backend.Lifecycler
		}{b, c.Lifecycler}
	case 0b1001:
		return struct {
			base
			backend.BatchRemover
			backend.Lifecycler
		}{b, c.BatchRemover, c.Lifecycler}
	case 0b1010:
		return struct {
			base
			backend.HealthChecker
			backend.Lifecycler
		}{b, c.HealthChecker, c.Lifecycler}
	case 0b1011:
		return struct {
			base
			backend.BatchRemover
			backend.HealthChecker
			backend.Lifecycler
		}{b, c.BatchRemover, c.HealthChecker, c.Lifecycler}
	case 0b1100:
		return struct {
			base
			backend.Presigner
			backend.Lifecycler
		}{b, c.Presigner, c.Lifecycler}
	case 0b1101:
		return struct {
			base
			backend.BatchRemover
			backend.Presigner
			backend.Lifecycler
		}{b, c.BatchRemover, c.Presigner, c.Lifecycler}
	case 0b1110:
		return struct {
			base
			backend.HealthChecker
			backend.Presigner
			backend.Lifecycler
		}{b, c.HealthChecker, c.Presigner, c.Lifecycler}
	case 0b1111:
		return struct {
			base
			backend.BatchRemover
			backend.HealthChecker
			backend.Presigner
			backend.Lifecycler
		}{b, c.BatchRemover, c.HealthChecker, c.Presigner, c.Lifecycler}
	}
	return struct{ base }{b}
}
