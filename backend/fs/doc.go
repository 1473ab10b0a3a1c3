// Package fs is a Backend that stores objects as files under one local
// directory, confined with os.Root so that no key, prefix or symbolic link
// can reach a file outside that directory.
//
// The object with key "a/b/c" is the file <dir>/a/b/c, holding exactly the
// object's bytes, so the store can be browsed and its objects opened with
// ordinary tools. The content type, metadata, HTTP attributes and the
// CRC-32C of the bytes (computed while Put streams them) live in the
// extended attribute user.objstore, set on the temp file before the atomic
// rename(2), so data, metadata and checksum change together; the client
// verifies full reads against the checksum (backend.ErrCorrupt). The ETag
// is derived from the file's inode, size and modification time. Every
// regular file is an object, so an existing directory is a store as it is
// (a file without the attribute has no metadata, no checksum and the
// content type application/octet-stream), and files in the formats of
// earlier versions are read as before until overwritten. Copy
// (backend.Copier) copies inside the file system: a reflink, else
// copy_file_range(2), else through a buffer. docs/fs.md describes the
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
// example ?stale_temp_age=10m) sets WithStaleTempAge; metadata=none sets
// WithoutMetadata. Any other query parameter is an error.
//
// # Errors
//
// Every error is a *backend.Error naming the operation and the key, and
// unwraps to a sentinel of package backend and to the *os.PathError or
// syscall.Errno behind it:
//
//   - a missing key, or a directory, pipe, socket or device at the key,
//     gives backend.ErrNotFound;
//   - New on a file system without user extended attributes gives
//     backend.ErrNotSupported, unless WithoutMetadata is given; with it, a
//     Put with metadata, a content type or HTTP attributes gives
//     backend.ErrNotSupported;
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
//     and errors.Is(err, syscall.ENOSPC) holds; so does content type,
//     metadata and HTTP attributes longer than the file system keeps in
//     an extended attribute (about 4 KiB on ext4);
//   - a Copy whose source is missing gives backend.ErrNotFound naming the
//     source;
//   - permission errors, a read-only file system and a symbolic link that
//     leads outside the directory give backend.ErrPermission;
//   - hard links unsupported by the file system make Put with IfNotExist
//     fail with backend.ErrNotSupported;
//   - use after Close gives backend.ErrClosed.
package fs
