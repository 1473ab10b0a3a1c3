package observe

import (
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// Base is what Compose builds on: a wrapper's own type, which has the
// Backend methods, Unwrap (so that backend.As looks through it) and
// String, and none of the optional capabilities.
type Base interface {
	backend.Backend
	backend.Wrapper
	fmt.Stringer
}

// Caps are optional capabilities; a nil field is one that is absent.
type Caps struct {
	BatchRemover  backend.BatchRemover
	HealthChecker backend.HealthChecker
	Presigner     backend.Presigner
	Lifecycler    backend.Lifecycler
}

// CapsOf returns the optional capabilities of b, found with backend.As:
// b's own, or those of the backends it wraps.
func CapsOf(b backend.Backend) Caps {
	var c Caps
	c.BatchRemover, _ = backend.As[backend.BatchRemover](b)
	c.HealthChecker, _ = backend.As[backend.HealthChecker](b)
	c.Presigner, _ = backend.As[backend.Presigner](b)
	c.Lifecycler, _ = backend.As[backend.Lifecycler](b)
	return c
}

// Instrumented is a wrapper's instrumentation of every optional
// capability, each method calling the inner backend's. It is given to
// ServedBy, so its methods are only reached for the capabilities the
// inner backend has.
type Instrumented interface {
	backend.BatchRemover
	backend.HealthChecker
	backend.Presigner
	backend.Lifecycler
}

// ServedBy returns the Caps in which x serves each capability that c has;
// those c lacks stay absent. With c = CapsOf(inner), Compose then gives a
// wrapper exactly the capabilities of its inner backend, instrumented.
func (c Caps) ServedBy(x Instrumented) Caps {
	var s Caps
	if c.BatchRemover != nil {
		s.BatchRemover = x
	}
	if c.HealthChecker != nil {
		s.HealthChecker = x
	}
	if c.Presigner != nil {
		s.Presigner = x
	}
	if c.Lifecycler != nil {
		s.Lifecycler = x
	}
	return s
}

// Compose returns b with the capabilities of c: the result has the
// methods of Base, served by b, and for each non-nil field of c that
// capability's methods, served by the field's value. It has no other
// method, even if b's own type has more. The sixteen cases are spelled out
// because Go cannot add methods to a type at run time.
func Compose(b Base, c Caps) backend.Backend {
	mask := 0
	for i, has := range []bool{c.BatchRemover != nil, c.HealthChecker != nil, c.Presigner != nil, c.Lifecycler != nil} {
		if has {
			mask |= 1 << i
		}
	}
	switch mask {
	case 0b0001:
		return struct {
			Base
			backend.BatchRemover
		}{b, c.BatchRemover}
	case 0b0010:
		return struct {
			Base
			backend.HealthChecker
		}{b, c.HealthChecker}
	case 0b0011:
		return struct {
			Base
			backend.BatchRemover
			backend.HealthChecker
		}{b, c.BatchRemover, c.HealthChecker}
	case 0b0100:
		return struct {
			Base
			backend.Presigner
		}{b, c.Presigner}
	case 0b0101:
		return struct {
			Base
			backend.BatchRemover
			backend.Presigner
		}{b, c.BatchRemover, c.Presigner}
	case 0b0110:
		return struct {
			Base
			backend.HealthChecker
			backend.Presigner
		}{b, c.HealthChecker, c.Presigner}
	case 0b0111:
		return struct {
			Base
			backend.BatchRemover
			backend.HealthChecker
			backend.Presigner
		}{b, c.BatchRemover, c.HealthChecker, c.Presigner}
	case 0b1000:
		return struct {
			Base
			backend.Lifecycler
		}{b, c.Lifecycler}
	case 0b1001:
		return struct {
			Base
			backend.BatchRemover
			backend.Lifecycler
		}{b, c.BatchRemover, c.Lifecycler}
	case 0b1010:
		return struct {
			Base
			backend.HealthChecker
			backend.Lifecycler
		}{b, c.HealthChecker, c.Lifecycler}
	case 0b1011:
		return struct {
			Base
			backend.BatchRemover
			backend.HealthChecker
			backend.Lifecycler
		}{b, c.BatchRemover, c.HealthChecker, c.Lifecycler}
	case 0b1100:
		return struct {
			Base
			backend.Presigner
			backend.Lifecycler
		}{b, c.Presigner, c.Lifecycler}
	case 0b1101:
		return struct {
			Base
			backend.BatchRemover
			backend.Presigner
			backend.Lifecycler
		}{b, c.BatchRemover, c.Presigner, c.Lifecycler}
	case 0b1110:
		return struct {
			Base
			backend.HealthChecker
			backend.Presigner
			backend.Lifecycler
		}{b, c.HealthChecker, c.Presigner, c.Lifecycler}
	case 0b1111:
		return struct {
			Base
			backend.BatchRemover
			backend.HealthChecker
			backend.Presigner
			backend.Lifecycler
		}{b, c.BatchRemover, c.HealthChecker, c.Presigner, c.Lifecycler}
	}
	return struct{ Base }{b}
}
