package objstore

import "github.com/objstore-dev/objstore/backend"

// The error vocabulary of the client is the backend's: these are the same
// values as the sentinels of package backend, so errors.Is works on every
// error the client, the middleware or a driver returns. Every error is an
// *backend.Error (or an errors.Join of them) that names the operation and
// the key; see docs/errors.md for when each one appears and what to do.
var (
	// ErrNotFound: the object, the stream or the stream chunk does not
	// exist (a stream that is not in progress has no chunk at that offset).
	ErrNotFound = backend.ErrNotFound
	// ErrExist: a create-only put found the key taken; for stream objects,
	// another writer wrote the chunk this writer wanted (a conflict), or
	// PutStreamObject was called on a stream that was already closed.
	ErrExist = backend.ErrExist
	// ErrInvalidKey: the key or prefix breaks backend.ValidateKey's rules;
	// returned before any I/O.
	ErrInvalidKey = backend.ErrInvalidKey
	// ErrInvalidArgument: a nil reader, a negative offset, bad metadata, a
	// range past the end, bad NewClient arguments, ...
	ErrInvalidArgument = backend.ErrInvalidArgument
	// ErrClosed: the client (its backend), a stream writer or a stream
	// reader was used after Close.
	ErrClosed = backend.ErrClosed
	// ErrNotSupported: the backend lacks the capability (presigned URLs,
	// health, lifecycle rules), or a URL scheme has no driver imported.
	ErrNotSupported = backend.ErrNotSupported
	// ErrPermission: the store refused the credentials or the policy.
	ErrPermission = backend.ErrPermission
	// ErrUnavailable: no endpoint could be reached.
	ErrUnavailable = backend.ErrUnavailable
	// ErrServerBusy: the store answered 429/5xx and retries gave up.
	ErrServerBusy = backend.ErrServerBusy
	// ErrTooLarge: the object is larger than the store accepts.
	ErrTooLarge = backend.ErrTooLarge
	// ErrPreconditionFailed: a compare-and-swap put (PutOptions.IfMatch)
	// or a conditional get (GetOptions.IfMatch) found another version of
	// the object, or none; nothing was written or read.
	ErrPreconditionFailed = backend.ErrPreconditionFailed
	// ErrNotModified: a conditional get (GetOptions.IfNoneMatch or
	// IfModifiedSince) found the version the caller already has; no body
	// was sent.
	ErrNotModified = backend.ErrNotModified
	// ErrCorrupt: a full read's bytes do not match the checksum the store
	// keeps with the object (ObjectStats.Checksum); the reader returns it
	// instead of io.EOF. Read again; if it stays, restore the object.
	ErrCorrupt = backend.ErrCorrupt
)
