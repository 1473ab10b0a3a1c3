//go:build !unix

package fs

import "errors"

// lockExclusive is not available without flock(2): conditional puts are
// then ErrNotSupported (see lockVersion).
func (h fileHandle) lockExclusive() error { return errors.ErrUnsupported }
