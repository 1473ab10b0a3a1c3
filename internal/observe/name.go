package observe

import (
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// Name is a wrapper's default name for b: its String() with any
// credentials redacted (backend.Redact), or its type.
func Name(b backend.Backend) string {
	if s, ok := b.(fmt.Stringer); ok {
		return backend.Redact(s.String())
	}
	return fmt.Sprintf("%T", b)
}
