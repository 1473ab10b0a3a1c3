// Package fs is a Backend that stores objects as files under one local
// directory, confined with os.Root so that no key, prefix or symbolic link
// can reach a file outside that directory.
//
// The object with key "a/b/c" is the file <dir>/a/b/c, so the store can be
// browsed with ordinary tools. Each file starts with a small header (a magic
// line and one JSON line with the size, ETag, content type and metadata)
// followed by the object's bytes unchanged; data and metadata therefore
// change together with one atomic rename(2). docs/fs.md describes the
// format, the guarantees and the limits.
//
// # URLs
//
//	file:///abs/dir              the directory /abs/dir (created if missing)
//	file://localhost/abs/dir     the same (RFC 8089 form)
//	file://./rel/dir             rel/dir, relative to the working directory
//	file://.                     the working directory itself
//
// The query parameter stale_temp_age (a time.ParseDuration string, for
// example ?stale_temp_age=10m) sets WithStaleTempAge. Any other query
// parameter is an error.
//
// # Errors
//
// Every error is a *backend.Error naming the operation and the key, and
// unwraps to a sentinel of package backend and to the *os.PathError or
// syscall.Errno behind it:
//
//   - a missing key, or a file that is not a complete object (no header,
//     truncated), gives backend.ErrNotFound;
//   - a key that is an existing object's directory or lies below an
//     existing object ("a/b" while "a" exists, or the reverse) gives
//     backend.ErrExist, and the message names the conflicting object (or,
//     for a directory that holds no object, one path in the way and what
//     to do; a tree of empty directories at the key is replaced);
//   - List goes on past directories and object files it may not read,
//     and after every other object ends with backend.ErrPermission naming
//     them;
//   - a valid key with a segment whose file name would be longer than 255
//     bytes (the file-name limit of Linux file systems) gives
//     backend.ErrInvalidKey before any I/O;
//   - a full file system (ENOSPC, EDQUOT, EFBIG) gives backend.ErrTooLarge,
//     and errors.Is(err, syscall.ENOSPC) holds;
//   - permission errors, a read-only file system and a symbolic link that
//     leads outside the directory give backend.ErrPermission;
//   - hard links unsupported by the file system make Put with IfNotExist
//     fail with backend.ErrNotSupported;
//   - use after Close gives backend.ErrClosed.
package fs
