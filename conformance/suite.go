package conformance

import "github.com/objstore-dev/objstore/backend"

// check is one named contract test. fn gets a fresh, empty Backend.
type check struct {
	name string
	doc  string
	long bool
	fn   func(t T, b backend.Backend)
	// sized, set instead of fn, is a check sized by LoadConfig (load.go).
	sized func(t T, b backend.Backend, l LoadConfig)
}

// Info describes one check of the suite.
type Info struct {
	Name string // stable name: the subtest name in Run, Result.Name in Check
	Doc  string // one sentence: what the check proves
	Long bool   // moves a lot of data; skipped by Short and go test -short
}

// Checks lists the checks of the suite, in the order they run.
func Checks() []Info {
	all := suite()
	out := make([]Info, len(all))
	for i, c := range all {
		out[i] = Info{Name: c.name, Doc: c.doc, Long: c.long}
	}
	return out
}

// suite is the one list of checks that both runners use. Names are
// stable: commands and CI logs refer to them.
func suite() []check {
	return []check{
		{name: "round-trip", fn: checkRoundTrip,
			doc: "a put object reads back byte for byte; Stat, Get and List agree on key, size and ETag; LastModified is recent; the content type defaults to application/octet-stream"},
		{name: "overwrite", fn: checkOverwrite,
			doc: "a second put replaces bytes, size, ETag, metadata and content type of the first"},
		{name: "zero-byte", fn: checkZeroByte,
			doc: "an empty object, of known and of unknown size, is stored; put, get, stat and list all say size 0"},
		{name: "large-unknown-size", fn: checkLargeUnknownSize, long: true,
			doc: "a 64 MiB object put with Size -1 from a reader that cannot seek reads back with the same sha256, also by range"},
		{name: "size-mismatch", fn: checkSizeMismatch,
			doc: "a reader that delivers fewer or more bytes than a known Size gives ErrInvalidArgument and stores nothing"},
		{name: "range-read", fn: checkRangeRead,
			doc: "ranges at the start, in the middle, at and past the end, of zero length, with a negative offset and running past the end behave as the Get contract says"},
		{name: "missing-key", fn: checkMissingKey,
			doc: "Stat and Get of a missing key (also a 'directory' of other keys) give ErrNotFound, and the error names the key"},
		{name: "remove-idempotent", fn: checkRemove,
			doc: "Remove deletes an object everywhere, removing a missing key returns nil, and removing a 'directory' key leaves the keys under it"},
		{name: "list-order", fn: checkListOrder,
			doc: "List returns every key in lexical byte order (a-b < a.b < a/b < a0 < A... by bytes, UTF-8 after ASCII)"},
		{name: "list-prefix", fn: checkListPrefix,
			doc: "List with a prefix returns exactly the keys that start with it, including prefixes that end inside a segment"},
		{name: "list-pagination", fn: checkListPagination,
			doc: "pages of size 1, 2, 3, 1000 and the default hold at most PageSize objects and together every key once, in order; tokens can be reused; the last NextToken is empty"},
		{name: "list-after-write", fn: checkListAfterWrite,
			doc: "List sees every object as soon as its Put returned, and no longer sees it once its Remove returned"},
		{name: "list-during-overwrites", fn: checkListDuringOverwrites,
			doc: "listings (whole and in pages of 50) taken while 3 goroutines overwrite the listed keys show every key, since every key existed throughout"},
		{name: "list-stopped-early", fn: checkListStoppedEarly,
			doc: "listings abandoned after their first page, or cancelled, leave no goroutine behind"},
		listDelimiterCheck, listStartAfterCheck, // listdir.go
		{name: "get-closed-early", fn: checkGetClosedEarly,
			doc: "Get readers closed before the end (or after their context is cancelled) close cleanly and leave no goroutine behind"},
		{name: "metadata-round-trip", fn: checkMetadataRoundTrip,
			doc: "metadata comes back exactly as backend.NormalizeMetadata makes it (keys lower-cased, non-ASCII values exact, 2 KiB allowed), with the content type given"},
		{name: "http-attributes", fn: checkHTTPAttributes,
			doc: "CacheControl, ContentDisposition, ContentEncoding and ContentLanguage and a bare content type (\"text\") are stored and returned by Stat and Get (also for unknown sizes), bytes are never decoded, an overwrite clears them, a copy keeps or replaces them"},
		{name: "checksums", fn: checkChecksums,
			doc: "every object put (empty, known and unknown size, overwritten) has a checksum of its bytes in Stat and Get (ObjectInfo.Checksum)"},
		{name: "metadata-invalid", fn: checkMetadataInvalid,
			doc: "invalid metadata, content type or HTTP attribute gives ErrInvalidArgument before the reader is read, and stores nothing"},
		{name: "odd-keys", fn: checkOddKeys,
			doc: "every valid key with odd characters (spaces, + % # ? \\ ~ ; = & , quotes, unicode, emoji, 1024 bytes, many segments, leading space) round-trips through put, get, stat, list and remove"},
		{name: "key-prefix-of-key", fn: checkKeyPrefixOfKey,
			doc: "objects 'a' and 'a/b' either both exist or the second put fails with a clear error (not ErrInvalidKey), and nothing is lost"},
		{name: "invalid-keys", fn: checkInvalidKeys,
			doc: "every invalid key gives ErrInvalidKey from Put, Get, Stat and Remove before any I/O, and nothing is created"},
		{name: "invalid-prefixes", fn: checkInvalidPrefixes,
			doc: "list prefixes such as '../', '/x' and 'a/../' give ErrInvalidKey; valid partial prefixes are accepted"},
		{name: "invalid-arguments", fn: checkInvalidArguments,
			doc: "a nil reader, a size below -1 and a negative page size give ErrInvalidArgument, never a panic, and store nothing"},
		{name: "context-cancelled", fn: checkContextCancelled,
			doc: "every method called with a cancelled context returns an error wrapping context.Canceled, and Put stores nothing"},
		{name: "put-cancelled", fn: checkPutCancelled,
			doc: "a context cancelled in the middle of a put returns an error wrapping context.Canceled and leaves the key as it was"},
		{name: "put-failing-reader", fn: checkPutFailingReader,
			doc: "a reader that fails midway makes Put return an error wrapping the reader's error and leaves the key as it was"},
		{name: "if-not-exist", fn: checkIfNotExist,
			doc: "IfNotExist creates a missing key, gives ErrExist when the key exists and leaves the first object unchanged (skipped on ErrNotSupported)"},
		{name: "if-not-exist-race", fn: checkIfNotExistRace,
			doc: "of several concurrent IfNotExist puts of one key exactly one succeeds and its bytes are stored (skipped on ErrNotSupported)"},
		{name: "if-match", fn: checkIfMatch,
			doc: "IfMatch replaces an object only from its current ETag (also quoted, of unknown size, empty); a stale ETag or a missing key gives ErrPreconditionFailed and changes nothing; \"*\" and IfMatch with IfNotExist give ErrInvalidArgument (skipped on ErrNotSupported)"},
		{name: "if-match-race", fn: checkIfMatchRace,
			doc: "of 8 concurrent IfMatch puts from one ETag exactly one succeeds, every other gets ErrPreconditionFailed, and the winner's bytes are stored (skipped on ErrNotSupported)"},
		{name: "if-match-multipart", fn: checkIfMatchMultipart,
			doc: "IfMatch holds for 11 MiB puts of known and unknown size (multipart on a driver with 5 MiB parts): a stale ETag or a missing key gives ErrPreconditionFailed and changes nothing (skipped on ErrNotSupported)"},
		{name: "conditional-get", fn: checkConditionalGet,
			doc: "Get with IfMatch, IfNoneMatch and IfModifiedSince (whole, ranged, zero-length) returns the bytes, or ErrPreconditionFailed or ErrNotModified and no reader, in HTTP's order; a missing key is ErrNotFound (skipped on ErrNotSupported)"},
		copyCheck, // copy.go
		{name: "concurrent-same-key", fn: checkConcurrentSameKey,
			doc: "concurrent puts and gets of one key: every get sees one complete version, never a mix, a short object or a missing key"},
		{name: "concurrent-different-keys", fn: checkConcurrentDifferentKeys,
			doc: "concurrent puts, gets, stats, lists and removes of different keys do not disturb each other"},
		{name: "load-mixed", sized: checkLoadMixed,
			doc: "1,000 concurrent puts, gets, stats, lists and removes on 16 keys by 32 workers: every get is one whole version of its key; then goroutines and open files are back to the baseline"},
		{name: "load-get-abandoned", sized: checkLoadGetAbandoned,
			doc: "10,000 Gets (2,000 with Short, at least 1,000 on slow stores) closed before their end leave no open file, socket or goroutine behind"},
		{name: "load-list-early-stop", sized: checkLoadListEarlyStop,
			doc: "a consumer that stops halfway through a listing of 100,000 keys (10,000 with Short, at least 1,000 on slow stores) holds one page in memory, never the listing, and leaves no goroutine behind"},
		{name: "load-put-aborted", sized: checkLoadPutAborted,
			doc: "100 puts cancelled or failed by their reader midway, of known and unknown size, store nothing and leave no goroutine or open file behind"},
		{name: "closed", fn: checkClosed,
			doc: "after Close every method (and RemoveMany if offered) gives ErrClosed, and Close is idempotent"},
	}
}
