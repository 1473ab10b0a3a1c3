package objstore

import (
	"context"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

// DefaultWatchInterval is the pause between two listings of Watch when
// WatchOptions.Interval is 0.
const DefaultWatchInterval = time.Second

// WatchEventType says what happened to an object.
type WatchEventType string

const (
	// WatchCreated: a key that was not there is (or, with
	// WatchOptions.Existing, the key was there when the watch began).
	WatchCreated WatchEventType = "created"
	// WatchChanged: the key was overwritten: its ETag, size or
	// modification time differs from the last listing.
	WatchChanged WatchEventType = "changed"
	// WatchRemoved: the key is gone. Object is its last info seen.
	WatchRemoved WatchEventType = "removed"
)

// WatchEvent is one change under a watched prefix.
type WatchEvent struct {
	Type   WatchEventType
	Object backend.ObjectInfo // as listed (Metadata and ContentType may be empty, as in Objects)
}

// WatchOptions tunes Watch. The zero value means: a listing every
// DefaultWatchInterval, and no events for the objects already there.
type WatchOptions struct {
	// Interval is the pause between the end of one listing and the start
	// of the next; 0 means DefaultWatchInterval.
	Interval time.Duration
	// Existing yields, from the first listing, a WatchCreated event for
	// every object already under the prefix. Without it that listing is
	// the silent baseline.
	Existing bool
}

// Watch yields the objects created, changed and removed under prefix, by
// listing the prefix every opts.Interval and comparing each listing with
// the one before. The first listing sets the baseline and yields nothing
// (with opts.Existing: one WatchCreated per object). The events of one
// listing come in lexical key order.
//
// What polling sees: the state at each listing, so an object created and
// removed between two listings is never reported, and several
// overwrites between two listings are one WatchChanged. An overwrite with
// the same bytes is reported only if the store gave it a new modification
// time. Stream objects appear as their chunk and marker keys, one
// WatchCreated per chunk.
//
// Cost: each listing is ceil(n/1000) List requests for n objects under
// the prefix, so an idle watch makes ceil(n/1000) requests per Interval
// (one per second with the defaults and up to 1000 objects), and keeps
// the key, size, ETag and time of the n objects in memory.
//
// A failed listing is yielded as an error (with a zero WatchEvent); the
// watch goes on with the next listing if the loop continues, and a loop
// that has had enough breaks. An invalid prefix is yielded once and ends
// the watch. The watch ends, without an error, when ctx ends or the loop
// breaks; it runs in the loop's goroutine and starts none.
func (c *Client) Watch(ctx context.Context, prefix string, opts WatchOptions) iter.Seq2[WatchEvent, error] {
	interval := opts.Interval
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	return func(yield func(WatchEvent, error) bool) {
		if err := backend.ValidatePrefix("watch", prefix); err != nil {
			yield(WatchEvent{}, err)
			return
		}
		var known map[string]backend.ObjectInfo // nil until a listing succeeded
		var timer *time.Timer
		defer func() {
			if timer != nil {
				timer.Stop()
			}
		}()
		for {
			now, err := c.snapshot(ctx, prefix)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				if !yield(WatchEvent{}, err) {
					return
				}
			} else {
				baseline := known == nil
				events := diffListings(known, now)
				known = now
				if !baseline || opts.Existing {
					for _, ev := range events {
						if !yield(ev, nil) {
							return
						}
					}
				}
			}
			if timer == nil {
				timer = time.NewTimer(interval)
			} else {
				timer.Reset(interval)
			}
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
	}
}

// snapshot lists prefix into a map by key.
func (c *Client) snapshot(ctx context.Context, prefix string) (map[string]backend.ObjectInfo, error) {
	m := map[string]backend.ObjectInfo{}
	for o, err := range c.Objects(ctx, prefix) {
		if err != nil {
			return nil, err
		}
		m[o.Key] = o
	}
	return m, nil
}

// diffListings returns the events that turn listing old into listing
// now, in key order. A nil old is the empty listing.
func diffListings(old, now map[string]backend.ObjectInfo) []WatchEvent {
	var events []WatchEvent
	for k, o := range now {
		prev, ok := old[k]
		switch {
		case !ok:
			events = append(events, WatchEvent{Type: WatchCreated, Object: o})
		case changed(prev, o):
			events = append(events, WatchEvent{Type: WatchChanged, Object: o})
		}
	}
	for k, o := range old {
		if _, ok := now[k]; !ok {
			events = append(events, WatchEvent{Type: WatchRemoved, Object: o})
		}
	}
	slices.SortFunc(events, func(a, b WatchEvent) int { return strings.Compare(a.Object.Key, b.Object.Key) })
	return events
}

// changed tells whether two listings of one key show different objects.
func changed(a, b backend.ObjectInfo) bool {
	return a.Size != b.Size || strings.Trim(a.ETag, `"`) != strings.Trim(b.ETag, `"`) || !a.LastModified.Equal(b.LastModified)
}
