package fs

import (
	"context"
	"errors"
	iofs "io/fs"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/objstore-dev/objstore/backend"
)

// List walks the tree in lexical byte order of the keys, which is not the
// order of a plain directory walk: a directory "a" holds keys "a/...", so it
// sorts as "a/", after "a-b" and before "a0". Each directory's entries are
// sorted by that rule before they are visited.
//
// The token is the last key of the previous page, so a page is found
// without state: the walk descends straight to the deepest directory that
// the prefix names in full, and skips every entry whose subtree holds
// neither keys after the token nor keys with the prefix. Memory is bounded
// by the page size and the depth: of each directory on the current path
// the walk keeps only the next entries it can use (at most about twice
// the rest of the page, or a few thousand), and reads the directory again
// when those run out.
//
// Temp files, symbolic links, other special files, names that no key maps
// to and files that are not complete objects are never listed.
//
// A directory or object file that the process has no permission to read
// does not stop the listing: it is left out, and the walk goes on. Once
// every other object has been returned, the listing ends with an error
// (ErrPermission) that names the entries left out, so that no caller
// mistakes the listing for complete. As pages are stateless, a page that
// left entries out carries them in its token (listskip.go); the last
// page then has a token too, and the call with that token returns the
// error.
func (b *Backend) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	opts, err := backend.CheckList(opts)
	if err != nil {
		return backend.ListPage{}, err
	}
	if err := b.check(ctx, "list", opts.Prefix); err != nil {
		return backend.ListPage{}, err
	}
	page, err := b.list(ctx, opts)
	if err != nil {
		return backend.ListPage{}, b.wrap("list", opts.Prefix, err)
	}
	return page, nil
}

// list is List without the checks (also used to name a conflicting
// object in Put's errors).
func (b *Backend) list(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	after, left, err := parseToken(opts.Token)
	if err != nil {
		return backend.ListPage{}, err
	}
	if opts.Token == "" {
		after = opts.StartAfter
	}
	l := &lister{
		b:      b,
		ctx:    ctx,
		prefix: opts.Prefix,
		dirs:   opts.Delimiter != "",
		after:  after,
		limit:  opts.PageSize + 1, // one more, to know whether a next page exists
		buf:    make([]byte, maxAttrLen),
		skip:   left,
	}
	dirKey := opts.Prefix[:strings.LastIndexByte(opts.Prefix, '/')+1]
	dir, ok, err := b.prefixDir(dirKey)
	if err != nil {
		return backend.ListPage{}, err
	}
	if ok {
		if err := l.walk(dir, dirKey); err != nil {
			return backend.ListPage{}, err
		}
	}
	var page backend.ListPage
	switch {
	case len(l.objs) > opts.PageSize:
		// What the walk left out after the page's last entry, it will
		// meet again on the next page.
		page.NextToken = l.skipAtLast.token(l.objs[opts.PageSize-1].Key)
		l.objs = l.objs[:opts.PageSize]
	case l.skip.n == 0:
	case len(l.objs) > 0:
		// The error comes with the next call, after these objects.
		page.NextToken = l.skip.token(l.objs[len(l.objs)-1].Key)
	default:
		return backend.ListPage{}, l.skip.err()
	}
	for _, o := range l.objs {
		if o.Size == prefixEntry {
			page.Prefixes = append(page.Prefixes, o.Key)
		} else {
			page.Objects = append(page.Objects, o)
		}
	}
	return page, nil
}

// prefixEntry is the Size that marks a common prefix among the entries a
// directory listing collects (lister.objs); no object has it.
const prefixEntry = -1

// prefixDir returns the path of the directory that holds the keys starting
// with dirKey ("" or "a/b/"), and false when there is no such directory
// (then no key has the prefix). Every component must be a real directory:
// symbolic links are not followed, as in the walk.
func (b *Backend) prefixDir(dirKey string) (string, bool, error) {
	if dirKey == "" {
		return ".", true, nil
	}
	dir := "."
	for seg := range strings.SplitSeq(strings.TrimSuffix(dirKey, "/"), "/") {
		name := escapeSegment(seg)
		if len(name) > maxNameLen {
			return "", false, nil
		}
		dir = joinPath(dir, name)
		fi, err := b.root.Lstat(dir)
		if isNotExist(err) || errors.Is(err, syscall.ENOTDIR) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		if !fi.IsDir() {
			return "", false, nil
		}
	}
	return dir, true, nil
}

// lister is one List call in progress.
type lister struct {
	b      *Backend
	ctx    context.Context
	prefix string // only keys with this prefix
	dirs   bool   // a directory listing: a directory below the prefix's is one entry
	after  string // only entries after this one (the token, or StartAfter)
	limit  int
	objs   []backend.ObjectInfo
	buf    []byte  // scratch for reading headers
	skip   skipped // entries left out for want of permission
	// skipAtLast is skip when the page's last object was added (the
	// object before the one that tells a next page exists).
	skipAtLast skipped
}

// entry is a directory entry that may lead to keys of the listing.
type entry struct {
	name  string // the file name on disk
	seg   string // the key segment it stands for
	sort  string // seg, plus "/" for a directory: the order of its keys
	isDir bool
}

// minKeep is the fewest entries of a directory that a walk keeps.
const minKeep = 1024

// walk lists the keys under directory dir (relative to the root), whose
// keys start with dirKey, in order, until the page is full. The directory
// stays open while its entries are handled: List stats its files through
// it (fstatat), one path component each.
func (l *lister) walk(dir, dirKey string) error {
	d, err := l.b.root.Open(dir)
	if err == nil {
		defer d.Close()
	}
	lo := "" // sort name of the last entry handled in this directory
	for reads := 0; ; reads++ {
		if err := l.ctx.Err(); err != nil {
			return err
		}
		var ents []entry
		complete := false
		if err == nil {
			ents, complete, err = l.readDir(d, dir, dirKey, lo, l.limit-len(l.objs), reads > 0)
		}
		if err != nil {
			if dir != "." && (isNotExist(err) || errors.Is(err, syscall.ENOTDIR)) {
				return nil // removed by a concurrent Remove: it held nothing
			}
			if dir != "." && errors.Is(err, iofs.ErrPermission) {
				l.skip.add(dirKey, err) // the objects below it, if any, are left out
				return nil
			}
			return err
		}
		for _, e := range ents {
			lo = e.sort
			switch {
			case e.isDir && l.dirs:
				err = l.addDir(joinPath(dir, e.name), dirKey+e.sort)
			case e.isDir:
				err = l.walk(joinPath(dir, e.name), dirKey+e.sort)
			default:
				err = l.addFile(d, dir, e.name, dirKey+e.seg)
			}
			if err != nil {
				return err
			}
			if len(l.objs) >= l.limit {
				return nil
			}
		}
		if complete {
			return nil
		}
	}
}

// readDir returns, sorted, the first need entries of the open directory d
// that come after lo and may lead to keys of the listing; complete is
// false when more such entries exist.
func (l *lister) readDir(d *os.File, dir, dirKey, lo string, need int, rewind bool) (ents []entry, complete bool, err error) {
	// Keep a few more than the page needs: empty directories and files
	// that are not objects use up entries without filling the page, and
	// running out means reading the whole directory again.
	need = max(need, minKeep)
	byName := func(a, b entry) int { return strings.Compare(a.sort, b.sort) }
	truncated := false
	seen := 0
	err = l.b.scanOpenDir(d, dir, rewind, func(name string, kind entryKind) error {
		if seen++; seen%scanBatch == 0 {
			if err := l.ctx.Err(); err != nil {
				return err
			}
		}
		if e, ok := l.candidate(name, kind, dirKey, lo); ok {
			ents = append(ents, e)
		}
		if len(ents) >= 2*need+scanBatch {
			slices.SortFunc(ents, byName)
			ents, truncated = ents[:need], true
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	slices.SortFunc(ents, byName)
	if len(ents) > need {
		ents, truncated = ents[:need], true
	}
	return ents, !truncated, nil
}

// candidate decides whether a directory entry can lead to keys of the
// listing: a file whose key has the prefix and comes after the token, or a
// directory whose subtree can hold such keys.
func (l *lister) candidate(name string, kind entryKind, dirKey, lo string) (entry, bool) {
	isDir := kind == kindDir
	if kind == kindOther {
		return entry{}, false // symbolic links and special files are not objects
	}
	seg, ok := unescapeSegment(name)
	if !ok {
		return entry{}, false // temp files and names no key maps to
	}
	e := entry{name: name, seg: seg, sort: seg, isDir: isDir}
	if isDir {
		e.sort += "/"
	}
	if lo != "" && e.sort <= lo {
		return entry{}, false
	}
	full := dirKey + e.sort
	if !isDir {
		return e, full > l.after && strings.HasPrefix(full, l.prefix)
	}
	if l.dirs {
		// One entry for the whole subtree, if it sorts after the token.
		return e, len(full) < backend.MaxKeyLen && strings.HasPrefix(full, l.prefix) && full > l.after
	}
	// Every key below is full+something: some have the prefix if either
	// string is a prefix of the other, and some come after the token if
	// full does or the token lies inside the subtree.
	return e, len(full) < backend.MaxKeyLen &&
		(strings.HasPrefix(full, l.prefix) || strings.HasPrefix(l.prefix, full)) &&
		(full > l.after || strings.HasPrefix(l.after, full))
}

// addFile adds the object in file name of the open directory d to the
// page, unless it vanished since the directory was read or is no regular
// file. In a store that holds no files of the v1 format (layout.go) it
// reads the file's stat data only, and leaves the content type and
// metadata empty; otherwise it opens the file, as Stat does.
func (l *lister) addFile(d *os.File, dir, name, key string) error {
	if backend.ValidateKey("list", key) != nil {
		return nil
	}
	p := joinPath(dir, name)
	if l.b.statList {
		st, err := l.b.statAt(d, dir, name)
		switch {
		case isNotExist(err), errors.Is(err, syscall.ENOTDIR):
			return nil
		case errors.Is(err, iofs.ErrPermission):
			l.skip.add(key, err)
			return nil
		case err != nil:
			return err
		case !st.regular():
			return nil // a directory or link put there since the directory was read
		case !l.b.mayRead(st):
			l.skip.add(key, unreadable(p)) // Get would fail: left out, and reported
			return nil
		}
		l.add(plainInfo(key, st, attrs{}))
		l.objs[len(l.objs)-1].ContentType = ""
		return nil
	}
	o, err := l.b.openObject(p, key, l.buf)
	if err != nil {
		if errors.Is(err, errNotObject) || isNotExist(err) || errors.Is(err, syscall.ENOTDIR) || isEscape(err) {
			return nil
		}
		if errors.Is(err, iofs.ErrPermission) {
			l.skip.add(key, err) // it may be an object: left out, and reported
			return nil
		}
		return err
	}
	o.f.Close()
	l.add(o.info)
	return nil
}

func (l *lister) add(info backend.ObjectInfo) {
	l.objs = append(l.objs, info)
	if len(l.objs) == l.limit-1 {
		l.skipAtLast = l.skip.snapshot()
	}
}

// addDir adds the directory dir, whose keys start with dirKey, to a
// directory listing as the prefix dirKey, if it holds at least one
// object: a directory left empty, or holding only files that are not
// objects, is no prefix (an object store would have no keys there). The
// walk below stops at the first object. A subtree that cannot be read
// is listed as a prefix: a listing of it reports what it cannot read.
func (l *lister) addDir(dir, dirKey string) error {
	sub := &lister{b: l.b, ctx: l.ctx, prefix: dirKey, limit: 1, buf: l.buf}
	if err := sub.walk(dir, dirKey); err != nil {
		return err
	}
	if len(sub.objs) > 0 || sub.skip.n > 0 {
		l.add(backend.ObjectInfo{Key: dirKey, Size: prefixEntry})
	}
	return nil
}
