package s3core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/objstore-dev/objstore/backend"
)

// The listing engine: one page of backend.Backend.List over ListObjectsV2
// requests, the same for every driver speaking S3. The driver makes the
// requests (Lister); the paging, the merging and the servers' quirks are
// here.
//
// A page is filled to PageSize+1 entries when that many remain: the extra
// one proves that more follow, so that a NextToken always leads to
// entries. A server's IsTruncated does not: MinIO says a listing is
// truncated whenever its walk stopped at the limit, also when nothing
// follows (page size 1 over 3 keys gave pages of 1, 1, 1 and 0 objects),
// so IsTruncated alone would hand out a token to an empty last page. The
// extra entry is left for the next page. A page holds at most
// maxListKeys-1 entries (999), so that the extra one comes in the same
// request: one ListObjectsV2 per page, as the peers make.
//
// A directory listing (Delimiter "/") sends the delimiter: the server
// rolls up the keys below each common prefix itself and counts a prefix
// as one entry of max-keys. Entries that do not sort after the listing's
// start (the token's entry or StartAfter) are dropped: S3 servers list
// the prefix that holds StartAfter ("a/" for "a/x"), which sorts before
// it, and MinIO lists again the prefix a continuation token ended on.
//
// Keys that objstore would not write (a folder object "dir/" made by
// another tool, for one) are listed as they are, so that RemoveMany
// removes them too (docs/foreign-keys.md).
//
// Two ways to page, both stateless (the page token carries the last entry
// of the page: a key, or a prefix with its "/"):
//
//   - On a server known to be MinIO (Lister.KnownMinIO), with MinIO's own
//     form of continuation token (base64 of "KEY[minio_cache:v2,...]",
//     cmd/metacache-marker.go), made for the page's last entry with the
//     tags of MinIO's last token (the id of its listing cache), so that the
//     next page reads on from the same cache, or with "return:" (start a
//     new cached listing) when it gave none. MinIO makes its tokens
//     stateless (they encode the last key listed, and a listing cache they
//     name that is gone is rebuilt from it), so a token can be reused and
//     is valid on every node of a cluster. A StartAfter is sent in that
//     token form too, for the defect of MinIO's start-after (see
//     mayHaveCutShort).
//   - Elsewhere, with StartAfter: the last entry means the same on every
//     S3 server (continuation tokens are server-specific, and MinIO's
//     point into a cached listing that may miss later writes: conformance
//     list-pagination checks that a resumed listing sees them), outlives
//     the driver and sees keys written after it was made. After a prefix "P/"
//     the listing goes on after "P/" followed by the largest rune, so that
//     the server skips P's keys rather than listing P again.

// Lister is the listing request of a driver speaking S3.
type Lister interface {
	// ListObjectsV2 makes one ListObjectsV2 request and returns the
	// answer as the server sent it. Its errors are the driver's
	// *backend.Error of "list" on the request's prefix.
	ListObjectsV2(ctx context.Context, req ListRequest) (ListAnswer, error)
	// KnownMinIO reports whether the server is known to be MinIO (an
	// answer said so in its Server header).
	KnownMinIO() bool
}

// ListRequest is one ListObjectsV2 request; empty fields are not sent.
type ListRequest struct {
	Prefix, Delimiter string
	MaxKeys           int
	StartAfter        string
	ContinuationToken string
}

// ListAnswer is the answer to a ListObjectsV2 request, as sent: the keys
// and prefixes URL-encoded when URLEncoded (encoding-type=url), the
// objects' LastModified and ETag untouched.
type ListAnswer struct {
	Objects               []backend.ObjectInfo // Key, Size, LastModified and ETag
	Prefixes              []string
	URLEncoded            bool
	IsTruncated           bool
	NextContinuationToken string
	ServerIsMinIO         bool // the answer's Server header is "MinIO"
}

// maxListKeys is the most keys one ListObjectsV2 answer holds (S3's
// limit, and MinIO's).
const maxListKeys = 1000

// List returns one page of the listing of opts (checked by
// backend.CheckList) after its token or StartAfter.
func List(ctx context.Context, a Lister, opts backend.ListOptions) (backend.ListPage, error) {
	if backend.PastPrefix(opts) {
		return backend.ListPage{}, nil
	}
	after, tags := opts.StartAfter, ""
	if opts.Token != "" {
		var err error
		if after, tags, err = parseToken(opts.Token); err != nil {
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrInvalidArgument, err)
		}
		if !strings.HasPrefix(after, opts.Prefix) {
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrInvalidArgument,
				errors.New("the token is not one of a listing of this prefix"))
		}
	}
	pageSize := min(opts.PageSize, maxListKeys-1)
	var (
		ents  []listEntry
		minio = a.KnownMinIO() // page with MinIO's continuation tokens
		token string           // the next one to send, when minio
	)
	if minio && after != "" {
		token = minioToken(after, tags)
	}
	for {
		req := ListRequest{Prefix: opts.Prefix, Delimiter: opts.Delimiter, MaxKeys: min(pageSize+1-len(ents), maxListKeys)}
		switch {
		case minio:
			req.ContinuationToken = token
		case after != "":
			req.StartAfter = after
			if opts.Delimiter != "" && len(after) > len(opts.Prefix) && strings.HasSuffix(after, opts.Delimiter) {
				req.StartAfter += string(utf8.MaxRune) // past every key below the prefix
			}
		}
		ans, err := a.ListObjectsV2(ctx, req)
		if err != nil {
			return backend.ListPage{}, err
		}
		kept, last := len(ents), ""
		if ents, last, err = appendListed(ents, ans, after); err != nil {
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, nil, err)
		}
		switch {
		case len(ents) > pageSize:
			// More follow: the page ends at its last entry, and the next
			// one starts after it (entries skipped after it are skipped
			// again then).
			next := ents[pageSize-1].name
			if minio {
				return pageOf(ents[:pageSize], formatToken(next, minioTags(ans.NextContinuationToken))), nil
			}
			return pageOf(ents[:pageSize], formatToken(next, "")), nil
		case !ans.IsTruncated && !minio && ans.ServerIsMinIO && mayHaveCutShort(after, len(ans.Objects)+len(ans.Prefixes), req.MaxKeys):
			// This answer may have gaps: ask again from the same place,
			// MinIO's way.
			ents, minio, token = ents[:kept], true, minioToken(after, "")
		case !ans.IsTruncated:
			return pageOf(ents, ""), nil
		case minio && (ans.NextContinuationToken == "" || ans.NextContinuationToken == token):
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrServerBusy,
				errors.New("the server said the listing goes on but gave no new continuation token"))
		case minio:
			after, token = last, ans.NextContinuationToken
		case last == after:
			return backend.ListPage{}, backend.NewError("list", opts.Prefix, backend.ErrServerBusy,
				errors.New("the server said the listing goes on but sent no key"))
		default:
			// Go on after the last entry the server sent, skipped or not.
			after = last
		}
	}
}

// mayHaveCutShort reports whether a final answer from MinIO to a
// StartAfter request may have ended the listing too early.
//
// MinIO (checked with the version pinned in tools.mk) lists with a direct
// disk walk when the request has a StartAfter marker, and stops the walk
// after MaxKeys+1 objects. When the marker is below a "directory"
// ("a/b"), the walk also counts objects that sort between the directory's
// name and the marker ("a b", "a-b", "a.b": every name that starts with
// "a" and a character below '/'), which are then dropped as not after
// the marker. The answer then has fewer keys than asked and says it is
// complete although keys remain: a silently truncated listing
// (start-after "a/b" lists the rest of "a/" and reports the listing
// complete). Its own continuation tokens take another path, through a
// listing cache, that does not have this bug.
//
// The keys such an answer does hold need not be the first ones after the
// marker either (we have seen "a0" returned and "a/c/d" left out). So a
// final answer from MinIO that is short of what was asked and followed a
// marker with a '/' is asked for again, with the marker in MinIO's token
// form. An answer that is not final is full, and then no object was
// miscounted: it is right as it is.
func mayHaveCutShort(after string, got, want int) bool {
	return strings.Contains(after, "/") && got < want
}

// listEntry is an object or a common prefix of a listing.
type listEntry struct {
	name string // the key, or the prefix with its delimiter
	obj  *backend.ObjectInfo
}

// appendListed appends the objects and common prefixes of ans to ents,
// merged in byte order, leaving out those that do not sort after after.
// last is the greatest entry of ans (after when none is greater).
func appendListed(ents []listEntry, ans ListAnswer, after string) (_ []listEntry, last string, _ error) {
	unescape := func(s string) (string, error) {
		if !ans.URLEncoded {
			return s, nil
		}
		k, err := url.QueryUnescape(s)
		if err != nil {
			return "", fmt.Errorf("undecodable key %q in the listing: %w", s, err)
		}
		return k, nil
	}
	start, last := len(ents), after
	for _, o := range ans.Objects {
		key, err := unescape(o.Key)
		if err != nil {
			return nil, "", err
		}
		if last = max(last, key); key <= after {
			continue
		}
		o.Key = key
		// HEAD and GET carry the time as an HTTP date, to the second;
		// listings have milliseconds. Cut them to the second so that
		// List, Stat and Get agree.
		o.LastModified = o.LastModified.UTC().Truncate(time.Second)
		o.ETag = strings.Trim(o.ETag, `"`)
		ents = append(ents, listEntry{name: key, obj: &o})
	}
	for _, p := range ans.Prefixes {
		name, err := unescape(p)
		if err != nil {
			return nil, "", err
		}
		if last = max(last, name); name <= after {
			continue
		}
		ents = append(ents, listEntry{name: name})
	}
	slices.SortStableFunc(ents[start:], func(a, b listEntry) int { return strings.Compare(a.name, b.name) })
	return ents, last, nil
}

// pageOf splits sorted entries into a page's objects and prefixes.
func pageOf(ents []listEntry, next string) backend.ListPage {
	page := backend.ListPage{NextToken: next}
	for _, e := range ents {
		if e.obj != nil {
			page.Objects = append(page.Objects, *e.obj)
		} else {
			page.Prefixes = append(page.Prefixes, e.name)
		}
	}
	return page
}

// firstUnder returns the first key under prefix, "" if none: the conflict
// check's LIST (conflict.go), one request of the engine.
func firstUnder(ctx context.Context, a Lister, prefix string) (string, error) {
	page, err := List(ctx, a, backend.ListOptions{Prefix: prefix, PageSize: 1})
	if err != nil || len(page.Objects) == 0 {
		return "", err
	}
	return page.Objects[0].Key, nil
}

// A page token is "a" or "m" and the base64 (URL alphabet, no padding)
// of the page's last entry, followed for "m" by the tags of MinIO's
// continuation token of the page. Both forms mean "list after the
// entry": a driver that does not page MinIO's way ignores the tags, one
// that does sends the entry with them (with "return:" for an "a" token),
// so neither form is misread. Anything else is refused.
func formatToken(entry, tags string) string {
	form := "a"
	if tags != "" {
		form = "m"
	}
	return form + base64.RawURLEncoding.EncodeToString([]byte(entry+tags))
}

// parseToken returns the entry and the MinIO tags of a formatToken token.
func parseToken(token string) (entry, tags string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(token[1:])
	entry, form := string(raw), token[0]
	if form == 'm' {
		entry, tags = splitTags(entry)
	}
	if ok := form == 'a' || form == 'm' && tags != ""; !ok || err != nil || entry == "" || !utf8.ValidString(entry) {
		return "", "", fmt.Errorf("malformed page token %q", token)
	}
	return entry, tags, nil
}

// minioMarkerTags starts the tags MinIO appends to the key in its
// continuation tokens; "return:" asks it for a new cached listing.
const (
	minioMarkerTags = "[minio_cache:"
	minioNewListing = "[minio_cache:v2,return:]"
)

// splitTags splits MinIO's tags off the end of s ("" when it has none).
func splitTags(s string) (key, tags string) {
	if i := strings.LastIndex(s, minioMarkerTags); i >= 0 && strings.HasSuffix(s, "]") {
		return s[:i], s[i:]
	}
	return s, ""
}

// minioToken returns MinIO's form of a continuation token that lists the
// entries after entry, with tags (MinIO's own next token points further,
// past the extra entry, so it is not sent as it is), or for a new cached
// listing. The tag form matters: a bare key is a start-after marker,
// which MinIO lists with a direct walk that can end early
// (mayHaveCutShort).
func minioToken(entry, tags string) string {
	if tags == "" {
		tags = minioNewListing
	}
	return base64.StdEncoding.EncodeToString([]byte(entry + tags))
}

// minioTags returns the tags of MinIO's continuation token next, "" when
// it has none.
func minioTags(next string) string {
	raw, _ := base64.StdEncoding.DecodeString(next)
	_, tags := splitTags(string(raw))
	return tags
}
