// Package backend defines the contract between the objstore client and the
// storage drivers: a small Backend interface, its option and result types,
// the shared error vocabulary, the one key validator, the metadata
// normalisation, optional capabilities and the URL registry.
//
// A driver implements Backend and nothing else is required of it. Powers
// that only some stores have (batch remove, health, presigned URLs,
// lifecycle rules) are optional interfaces in capabilities.go, found with a
// type assertion (see As).
//
// # URLs
//
// Drivers register a URL scheme with Register; Open opens a URL with the
// registered opener. Typed constructors (mem.New, fs.New, ...) work without
// the registry. Built-in schemes: mem:// and mem://NAME (backend/mem),
// file:///abs/dir and file://./rel/dir (backend/fs).
//
// # Errors
//
// Every error a driver returns for an object is an *Error that names the
// operation and the key and unwraps both to one of the sentinels in
// errors.go (ErrNotFound, ErrExist, ErrInvalidKey, ...) and to the native
// error of the SDK, so both errors.Is and errors.As work.
package backend

import (
	"context"
	"io"
	"time"
)

// Backend is one flat namespace of objects (a bucket, a directory, a
// map). Implementations must be safe for concurrent use by many goroutines.
//
// Every method validates its arguments (ValidateKey, CheckPut, CheckGet,
// CheckList) before any I/O, and every method called after Close returns an
// error for which errors.Is(err, ErrClosed) holds.
type Backend interface {
	// Put stores the bytes of r under key, replacing any object there.
	//
	// Put is atomic: no reader ever sees a partial object. When r fails, or
	// ctx is cancelled before Put returns, Put returns an error and leaves
	// the key as it was (no new object, no half-written one). When Put
	// returns nil the object is durable and visible to Get, Stat and List.
	//
	// opts.Size is the number of bytes r will deliver, or -1 when unknown;
	// a reader that delivers a different number of bytes than a known Size
	// is an error (ErrInvalidArgument) and stores nothing. With
	// opts.IfNotExist, Put fails with ErrExist when the key already holds
	// an object, and the existing object is left unchanged; a driver that
	// cannot make a create-only write returns ErrNotSupported. With
	// opts.IfMatch, Put replaces the object only if its ETag is still
	// opts.IfMatch, else (also when the key is missing) it fails with
	// ErrPreconditionFailed and leaves the key unchanged; a driver that
	// cannot make that check atomically returns ErrNotSupported.
	// Metadata and ContentType are stored as CheckPut normalised them, the
	// HTTPAttributes as given, and a Checksum of the bytes (see Checksum)
	// is stored with the object and returned in the ObjectInfo.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (ObjectInfo, error)

	// Get returns a reader of the object's bytes from opts.Offset, for
	// opts.Length bytes (Length < 0: to the end), and the info of the
	// whole object. The caller must Close the reader. A missing key gives
	// ErrNotFound. A range that starts past the end of the object gives
	// ErrInvalidArgument; one that starts at the end, or a zero Length,
	// gives an empty reader; one that runs past the end is cut at the end.
	// The reader never ends with a clean io.EOF before the range is
	// complete: a broken transfer is an error, never short data. The
	// preconditions of opts (IfMatch, IfNoneMatch, IfModifiedSince) give
	// ErrPreconditionFailed or ErrNotModified and no reader; a driver
	// that cannot evaluate them exactly returns ErrNotSupported.
	Get(ctx context.Context, key string, opts GetOptions) (io.ReadCloser, ObjectInfo, error)

	// Stat returns the info of the object at key, or ErrNotFound.
	Stat(ctx context.Context, key string) (ObjectInfo, error)

	// List returns one page of the objects whose keys start with
	// opts.Prefix, in lexical byte order of their keys, starting after the
	// position that opts.Token encodes (empty: the beginning). An empty
	// NextToken means there are no more pages. Tokens are opaque and
	// stateless: a token may be reused and outlives the Backend value. List
	// sees every object whose Put returned before List was called.
	// With opts.Delimiter "/" the page is one level of a directory
	// listing (ListOptions.Delimiter), made with the store's own
	// delimiter support: its cost follows the entries listed, not the
	// keys below the prefixes. opts.StartAfter starts the listing after a
	// key or prefix. A page holds at most opts.PageSize entries, objects
	// and prefixes counted together (ListPage).
	// The prefix need not be a valid key ("", "a/", "a/b-"), but it must
	// be valid UTF-8 without control characters and must not contain a
	// "." or ".." segment (ValidatePrefix).
	List(ctx context.Context, opts ListOptions) (ListPage, error)

	// Remove deletes the object at key. Removing a missing key returns nil.
	Remove(ctx context.Context, key string) error

	// Close releases the backend's resources. Calls after Close return
	// ErrClosed; Close itself is idempotent.
	Close() error
}

// PutOptions tunes a Put. The zero value means: size unknown is NOT implied
// by zero (a zero Size means an empty object); use -1 for unknown.
type PutOptions struct {
	// Size is the number of bytes the reader delivers, or -1 if unknown.
	Size int64
	// ContentType is the MIME type; empty means application/octet-stream.
	ContentType string
	// Metadata is user metadata, normalised by NormalizeMetadata.
	Metadata map[string]string
	// HTTPAttributes are stored with the object and served with it.
	HTTPAttributes
	// IfNotExist makes the Put create-only: ErrExist if the key exists.
	IfNotExist bool
	// IfMatch, when not empty, makes the Put a compare-and-swap: it
	// replaces the object only if the object's ETag (as Stat, Get and Put
	// report it) is still IfMatch, checked atomically with the write by
	// the store (also for a multipart upload, at its completion).
	// Otherwise, and when the key holds no object, Put fails with
	// ErrPreconditionFailed and leaves the key as it was. A driver that
	// cannot make the check atomically returns ErrNotSupported and stores
	// nothing; it never ignores IfMatch. IfMatch with IfNotExist, or "*",
	// is ErrInvalidArgument.
	IfMatch string
}

// GetOptions selects a byte range and, optionally, preconditions. The
// zero value reads nothing: use Length -1 (or start from WholeObject)
// for the whole object.
//
// The preconditions are those of HTTP (RFC 9110 section 13), evaluated by
// the store against the version whose bytes the Get would return, and in
// HTTP's order: a failed IfMatch is ErrPreconditionFailed; otherwise an
// IfNoneMatch that matches, or, when IfNoneMatch is empty, an object not
// modified after IfModifiedSince (compared to the second, as HTTP dates
// are), is ErrNotModified. Either way no byte of the body is returned. A
// missing object is ErrNotFound whatever the preconditions. ETags compare
// without their quotes; "*" is ErrInvalidArgument.
type GetOptions struct {
	Offset int64 // first byte, >= 0
	Length int64 // number of bytes; < 0 means to the end of the object

	// IfMatch: read only if the object's ETag is IfMatch, else
	// ErrPreconditionFailed.
	IfMatch string
	// IfNoneMatch: read only if the object's ETag is not IfNoneMatch,
	// else ErrNotModified (a cache's revalidation).
	IfNoneMatch string
	// IfModifiedSince: read only if the object was modified after this
	// time (to the second), else ErrNotModified. Ignored when IfNoneMatch
	// is set, as HTTP says. The zero time means no condition.
	IfModifiedSince time.Time
}

// HasConditions reports whether any precondition is set.
func (o GetOptions) HasConditions() bool {
	return o.IfMatch != "" || o.IfNoneMatch != "" || !o.IfModifiedSince.IsZero()
}

// WholeObject is the GetOptions that reads an entire object.
var WholeObject = GetOptions{Offset: 0, Length: -1}

// ListOptions selects one page of a listing. The zero value lists the
// whole namespace, flat, from the beginning, in pages of DefaultPageSize.
type ListOptions struct {
	Prefix string // only keys that start with Prefix
	// Delimiter "" lists flat: every key under Prefix. Delimiter "/"
	// lists one level (a directory listing): a key with a "/" after
	// Prefix is not listed; instead its common prefix, Prefix up to and
	// including the first "/" after it, is listed once in
	// ListPage.Prefixes (S3's CommonPrefixes, gocloud's IsDir). Any
	// other delimiter is ErrInvalidArgument.
	Delimiter string
	// StartAfter, when not empty, lists only the entries that sort after
	// it: objects whose key, and prefixes whose text (with its trailing
	// "/"), is greater than StartAfter in byte order. So a consumer can
	// resume after the last key or prefix it processed without holding
	// a token. StartAfter need not exist; it is checked as a prefix is
	// (ValidatePrefix). When Token is set, StartAfter is ignored: a
	// token comes from a listing that already honoured it, and always
	// points further.
	StartAfter string
	PageSize   int    // at most this many entries (objects and prefixes); 0 means DefaultPageSize
	Token      string // from a previous ListPage.NextToken; empty: start
}

// Delimiter is the one delimiter a directory listing may use
// (ListOptions.Delimiter).
const Delimiter = "/"

// DefaultPageSize is the page size of a List whose PageSize is 0, and the
// largest page a driver must support.
const DefaultPageSize = 1000

// ListPage is one page of a listing.
//
// Objects and Prefixes are each in lexical byte order, and a page's
// entries (objects and prefixes together) all sort before the entries of
// the next page: merging the two slices of each page by their text (an
// object's key, a prefix with its trailing "/") and concatenating the
// pages gives the whole listing in order, each entry once. Within a page
// the two are not interleaved for the caller; the client's List merges
// them. PageSize bounds len(Objects)+len(Prefixes). Prefixes is empty
// unless the listing has a Delimiter.
type ListPage struct {
	Objects   []ObjectInfo
	Prefixes  []string // common prefixes, each ending with the delimiter
	NextToken string   // empty when the listing is complete
}

// ObjectInfo describes a stored object. In a ListPage, Metadata and
// ContentType may be left empty by drivers whose listings do not carry
// them; Stat and Get always fill them.
type ObjectInfo struct {
	Key          string
	Size         int64
	LastModified time.Time
	ETag         string
	ContentType  string
	Metadata     map[string]string
	// HTTPAttributes as the object was put with them (Stat and Get fill
	// them; listings may not).
	HTTPAttributes
	// Checksum of the object's bytes as the store keeps it; zero when the
	// store has none for this object. Stat and Get fill it; listings may
	// not.
	Checksum Checksum
}
