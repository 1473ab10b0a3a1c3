package objstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/internal/observe"
)

// removeBatch is the most keys handed to one BatchRemover.RemoveMany call:
// the limit of S3's and MinIO's DeleteObjects.
const removeBatch = 1000

// Objects iterates over the objects whose keys start with prefix, in
// lexical order, one backend List page at a time: memory stays flat for
// any number of keys, and nothing runs when the consumer stops (no
// goroutine, no channel). An error (an invalid prefix, a failed List) is
// yielded once, with a zero ObjectInfo, and ends the iteration.
//
// ObjectInfo.Metadata and ContentType may be empty in listings (drivers
// whose list answers do not carry them); StatObject fills them.
func (c *Client) Objects(ctx context.Context, prefix string) iter.Seq2[backend.ObjectInfo, error] {
	return func(yield func(backend.ObjectInfo, error) bool) {
		if err := backend.ValidatePrefix("list", prefix); err != nil {
			yield(backend.ObjectInfo{}, err)
			return
		}
		opts := backend.ListOptions{Prefix: prefix}
		for {
			page, err := c.b.List(ctx, opts)
			if err != nil {
				yield(backend.ObjectInfo{}, err)
				return
			}
			for _, o := range page.Objects {
				if !yield(o, nil) {
					return
				}
			}
			if page.NextToken == "" {
				return
			}
			if page.NextToken == opts.Token {
				// A driver bug would otherwise loop forever.
				yield(backend.ObjectInfo{}, backend.NewError("list", prefix, nil,
					fmt.Errorf("the backend returned the same page token %q twice", opts.Token)))
				return
			}
			opts.Token = page.NextToken
		}
	}
}

// ListObjects returns the keys of every object whose key starts with
// prefix, in lexical order (an empty prefix lists everything). Stream
// objects appear as their chunk and marker keys. For many keys prefer
// Objects, whose memory does not grow with the listing.
func (c *Client) ListObjects(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	for o, err := range c.Objects(ctx, prefix) {
		if err != nil {
			return nil, err
		}
		keys = append(keys, o.Key)
	}
	return keys, nil
}

// RemoveObjects removes every object whose key starts with prefix,
// streams included (their chunks and marker). An empty prefix removes
// everything in the store: the library allows it, as rm -r does; a
// command line should ask for confirmation first.
//
// Keys are removed page by page as they are listed, in batches of up to
// 1000 with the backend's BatchRemover when it has one, else one Remove
// per key. A key that cannot be removed does not stop the others: the
// returned error joins (errors.Join) one error per key that failed, each
// naming its key, plus the listing's error if listing failed. When ctx
// ends, RemoveObjects stops and returns what it has.
//
// Only the prefix is held to objstore's rules (backend.ValidatePrefix).
// The listed keys are removed as the store listed them, also those that
// objstore would not write because another tool did (the console's
// folder objects "photos/", names with "//"): the keys go to RemoveMany
// in a context from backend.WithListedKeys. A backend without a
// BatchRemover can only remove keys that backend.ValidateKey accepts;
// each other key it meets is reported as ErrInvalidKey.
// docs/foreign-keys.md lists what each driver lists and removes.
func (c *Client) RemoveObjects(ctx context.Context, prefix string) error {
	if err := backend.ValidatePrefix("remove", prefix); err != nil {
		return err
	}
	br, hasBatch := backend.As[backend.BatchRemover](c.b)
	listed := backend.WithListedKeys(ctx)
	var errs []error
	batch := make([]string, 0, removeBatch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if hasBatch {
			if err := br.RemoveMany(listed, batch); err != nil {
				errs = append(errs, err)
			}
		} else {
			for _, k := range batch {
				if err := c.removeListed(ctx, k); err != nil {
					errs = append(errs, err)
					if ctx.Err() != nil {
						break
					}
				}
			}
		}
		batch = batch[:0]
	}
	for o, err := range c.Objects(ctx, prefix) {
		if err != nil {
			errs = append(errs, err)
			break
		}
		batch = append(batch, o.Key)
		if len(batch) == removeBatch {
			flush()
			if ctx.Err() != nil {
				break
			}
		}
	}
	if ctx.Err() == nil {
		flush()
	}
	if err := ctx.Err(); err != nil && !errorsContain(errs, err) {
		errs = append(errs, backend.NewError("remove", prefix, nil, err))
	}
	return errors.Join(errs...)
}

// removeListed removes one listed key with Backend.Remove, for a backend
// without a BatchRemover. Remove validates its key, so a key that another
// tool wrote is reported with a cause that says so.
func (c *Client) removeListed(ctx context.Context, key string) error {
	if err := backend.ValidateKey("remove", key); err != nil {
		var be *backend.Error
		errors.As(err, &be)
		return backend.NewError("remove", key, ErrInvalidKey, fmt.Errorf(
			"the store lists this key, which objstore would not write (%w: probably another tool wrote it), and %s has no BatchRemover to remove it as listed; remove it with that tool",
			be.Err, observe.Name(c.b)))
	}
	return c.b.Remove(ctx, key)
}

// errorsContain reports whether any of errs wraps target.
func errorsContain(errs []error, target error) bool {
	for _, e := range errs {
		if errors.Is(e, target) {
			return true
		}
	}
	return false
}

// ListOptions tunes Client.List. The zero value lists one level (a
// directory listing) from the beginning, with stream objects as entries.
type ListOptions struct {
	// StartAfter lists only the entries after it: objects whose key, and
	// prefixes whose text with its trailing "/", sort after StartAfter in
	// byte order (a stream entry sorts as its prefix "NAME/"). A consumer
	// that remembers the last Entry.Key it handled (or, for a stream, the
	// key plus "/") resumes there without holding a page token.
	StartAfter string
	// Recursive lists every object under the prefix, flat, as Objects
	// does: no prefixes, and a stream object appears as its chunk and
	// marker keys.
	Recursive bool
	// PlainPrefixes skips the stream check: every common prefix is an
	// entry with IsPrefix, streams included. The listing then costs one
	// backend List per page and nothing more.
	PlainPrefixes bool
}

// Entry is one entry of a directory listing (Client.List): an object, a
// common prefix ("folder"), or a stream object.
type Entry struct {
	// Key is the object's key, the prefix with its trailing "/"
	// ("caps/"), or the stream's name without one ("caps/eth0").
	Key      string
	IsPrefix bool // a common prefix: keys exist below Key
	IsStream bool // a stream object (docs/streams.md); read it with OpenStream(Key)
	// Object is the object's info (as Objects gives it) when the entry
	// is an object; zero for prefixes and streams.
	Object backend.ObjectInfo
}

// streamCheckWorkers bounds the stream checks that run at once for one
// page of a directory listing.
const streamCheckWorkers = 8

// List lists one level under prefix, like ls: the objects whose key has
// no "/" after prefix, and each common prefix below it once (the keys
// "a/b/c" and "a/b/d" under prefix "a/" give one entry "a/b/"), in
// lexical byte order, one backend page at a time with the store's own
// delimiter support (backend.ListOptions.Delimiter): the cost follows the
// entries listed, never the keys below the prefixes. prefix is usually
// "" or ends with "/"; a partial name ("a/b") lists the entries that
// start with it. An error is yielded once, with a zero Entry, and ends
// the iteration; nothing runs when the consumer stops.
//
// A stream object (docs/streams.md) is one entry with IsStream, named
// without the "/", at the place of its prefix "NAME/": never its chunks,
// never a plain prefix. Telling a stream from a folder costs requests
// per prefix entry (not per key), as Exists does: a Stat of the marker
// ("NAME/.inprogress"), and, when there is none, a listing of the chunk
// prefix ("NAME/BASE.": one small page, more only when that prefix holds
// many keys that are not chunks). So a prefix costs 2 small requests (1
// for a stream in progress), up to 8 prefixes at a time; objects cost
// nothing. Set
// opts.PlainPrefixes to skip them (streams are then plain prefixes).
// Keys below a stream's name that are not its own are not entries of
// this level; list "NAME/" to see them.
//
// With opts.Recursive the listing is flat (every key under prefix, as
// Objects lists them), and opts.StartAfter works the same.
func (c *Client) List(ctx context.Context, prefix string, opts ListOptions) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		if err := backend.ValidatePrefix("list", prefix); err != nil {
			yield(Entry{}, err)
			return
		}
		bopts := backend.ListOptions{Prefix: prefix, StartAfter: opts.StartAfter}
		if !opts.Recursive {
			bopts.Delimiter = backend.Delimiter
		}
		for {
			page, err := c.b.List(ctx, bopts)
			if err != nil {
				yield(Entry{}, err)
				return
			}
			entries := pageEntries(page)
			if !opts.Recursive && !opts.PlainPrefixes {
				if err := c.markStreams(ctx, entries); err != nil {
					yield(Entry{}, err)
					return
				}
			}
			for _, e := range entries {
				if !yield(e, nil) {
					return
				}
			}
			if page.NextToken == "" {
				return
			}
			if page.NextToken == bopts.Token {
				yield(Entry{}, backend.NewError("list", prefix, nil,
					fmt.Errorf("the backend returned the same page token %q twice", bopts.Token)))
				return
			}
			bopts.Token = page.NextToken
		}
	}
}

// pageEntries merges the objects and prefixes of a page, each sorted, in
// byte order of their text.
func pageEntries(page backend.ListPage) []Entry {
	out := make([]Entry, 0, len(page.Objects)+len(page.Prefixes))
	objs, prefixes := page.Objects, page.Prefixes
	for len(objs) > 0 || len(prefixes) > 0 {
		if len(prefixes) == 0 || (len(objs) > 0 && objs[0].Key < prefixes[0]) {
			out = append(out, Entry{Key: objs[0].Key, Object: objs[0]})
			objs = objs[1:]
			continue
		}
		out = append(out, Entry{Key: prefixes[0], IsPrefix: true})
		prefixes = prefixes[1:]
	}
	return out
}

// markStreams turns the prefix entries of one page that are stream
// objects into stream entries, checking up to streamCheckWorkers
// prefixes at a time; it returns when every check is done.
func (c *Client) markStreams(ctx context.Context, entries []Entry) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, streamCheckWorkers)
	)
	for i := range entries {
		if !entries[i].IsPrefix {
			continue
		}
		k, err := newStreamKeys("list", strings.TrimSuffix(entries[i].Key, "/"))
		if err != nil {
			continue // no stream can have this name
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ok, err := c.isStream(ctx, k)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil && first == nil:
				first = err
				cancel()
			case ok:
				entries[i] = Entry{Key: k.name, IsStream: true}
			}
		})
	}
	wg.Wait()
	return first
}

// isStream reports whether k's stream exists, as Exists does: its marker
// exists (a stream in progress, even before its first chunk), or it has a
// chunk. The marker first: a writer removes it only after its last chunk
// is stored, so a stream that closes in between is found by its chunks.
func (c *Client) isStream(ctx context.Context, k streamKeys) (bool, error) {
	if _, err := c.statMarker(ctx, k); err == nil {
		return true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	return c.hasChunk(ctx, k)
}
