package prefix

//go:generate go run ../../internal/observe/gen_compose.go -pkg prefix -base base -func compose -caps BatchRemover,HealthChecker,Presigner,Lifecycler -out compose_gen.go

import (
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// base is what compose builds on: the view's own methods (those of
// *Backend), without Unwrap.
//
// compose (compose_gen.go) is observe.Compose for this base, generated
// from the same list of capabilities: observe.Base requires
// backend.Wrapper, which a view must not have (backend.As would look
// through it and find the inner backend's capabilities, which take inner
// keys). It composes the four capabilities the view confines; any other
// (Composer, Copier) is hidden.
type base interface {
	backend.Backend
	backend.KeyChecker
	fmt.Stringer
	Prefix() string
}
