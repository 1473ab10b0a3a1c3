package fs

import (
	"errors"
	"fmt"

	"github.com/objstore-dev/objstore/backend"
)

// lockVersion takes an exclusive lock (flock) on the object file now at
// p, the version a Put is about to replace, so that puts replacing the
// same version are serialised, across processes too: a conditional Put
// (IfMatch) compares the ETag of the version it holds locked and renames
// its file over it before it lets go, so no other put can slip in between
// its check and its rename. A version replaced while the lock was awaited
// is let go and the new one locked. It returns the locked version's info,
// exists == false (and nothing locked) when no object is at p, and a
// release func to call after the rename. Where flock is missing, plain
// puts go on unlocked and IfMatch is ErrNotSupported.
func (b *Backend) lockVersion(p, key, ifMatch string) (info backend.ObjectInfo, exists bool, release func(), err error) {
	none := func() {}
	for {
		o, err := b.openObject(p, key, nil)
		if err != nil {
			// Nothing there that is an object (missing, a directory, a
			// link that leads outside, a file we may not read): a plain
			// Put replaces it as rename(2) does, unlocked.
			if ifMatch == "" || isNotExist(err) || errors.Is(err, errNotObject) {
				return backend.ObjectInfo{}, false, none, nil
			}
			return backend.ObjectInfo{}, false, none, err
		}
		if err := o.f.lockExclusive(); err != nil {
			o.f.Close()
			if errors.Is(err, errors.ErrUnsupported) && ifMatch == "" {
				return o.info, true, none, nil
			}
			if errors.Is(err, errors.ErrUnsupported) {
				return backend.ObjectInfo{}, false, none, backend.NewError("put", key, backend.ErrNotSupported,
					errors.New("a conditional put (IfMatch) needs flock(2), which this platform lacks"))
			}
			return backend.ObjectInfo{}, false, none, fmt.Errorf("lock the current version: %w", err)
		}
		cur, err := b.openObject(p, key, nil)
		if err == nil {
			cur.f.Close()
			if cur.info.ETag == o.info.ETag {
				return o.info, true, func() { o.f.Close() }, nil
			}
		}
		o.f.Close()
		if err != nil {
			if ifMatch == "" || isNotExist(err) || errors.Is(err, errNotObject) {
				return backend.ObjectInfo{}, false, none, nil
			}
			return backend.ObjectInfo{}, false, none, err
		}
		// Replaced while we waited for the lock: lock the new version.
	}
}
