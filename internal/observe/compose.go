package observe

//go:generate go run gen_compose.go

import (
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// Base is what Compose builds on: a wrapper's own type, which has the
// Backend methods, Unwrap (so that backend.As looks through it) and
// String, and none of the optional capabilities.
//
// A wrapper gives itself exactly the capabilities of the backend it wraps
// with
//
//	in := observe.CapsOf(inner)
//	return observe.Compose(w, in.ServedBy(capabilities{w, in}))
//
// where capabilities instruments each capability it implements by calling
// the field of in. Caps, CapsOf, ServedBy and Compose are generated from
// one list of capabilities (gen_compose.go), the one place that changes
// when package backend gains one.
type Base interface {
	backend.Backend
	backend.Wrapper
	fmt.Stringer
}
