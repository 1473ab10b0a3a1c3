package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"syscall"

	"github.com/objstore-dev/objstore/backend"
)

// wrap turns an error from the file system into a *backend.Error for op and
// key, keeping the native error reachable with errors.Is / errors.As. An
// error that already is a *backend.Error for the same op and key is
// returned as it is.
func (b *Backend) wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) && be.Op == op && be.Key == key {
		return err
	}
	kind := kindOf(err)
	if isEscape(err) {
		err = fmt.Errorf("a symbolic link leads outside the store's directory: %w", err)
	}
	if b.closed.Load() && kind == nil || errors.Is(err, os.ErrClosed) {
		kind = backend.ErrClosed
	}
	return backend.NewError(op, key, kind, err)
}

// kindOf picks the sentinel for a file-system error, or nil when none
// fits (an I/O error such as EIO, or the caller's own context error: no
// sentinel describes them, and a wrong one would mislead retry layers).
func kindOf(err error) error {
	var be *backend.Error
	switch {
	case errors.As(err, &be) && be.Kind != nil:
		return be.Kind
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil
	case errors.Is(err, errNotObject), errors.Is(err, iofs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return backend.ErrNotFound
	case errors.Is(err, syscall.ENAMETOOLONG):
		return backend.ErrInvalidKey
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.EFBIG):
		return backend.ErrTooLarge
	case errors.Is(err, iofs.ErrPermission), errors.Is(err, syscall.EROFS), isEscape(err):
		return backend.ErrPermission
	case errors.Is(err, os.ErrClosed):
		return backend.ErrClosed
	}
	return nil
}

// isEscape reports whether os.Root refused a path because it (through a
// symbolic link) leads outside the root. The standard library does not
// export that error value, so its text is matched; should the text change,
// such errors lose only their ErrPermission kind, never their refusal.
func isEscape(err error) bool {
	const msg = "path escapes from parent"
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Err != nil && pe.Err.Error() == msg {
		return true
	}
	var le *os.LinkError
	return errors.As(err, &le) && le.Err != nil && le.Err.Error() == msg
}

// isNotExist reports whether err means that a path, or a directory on the
// way to it, does not exist.
func isNotExist(err error) bool {
	return errors.Is(err, iofs.ErrNotExist)
}
