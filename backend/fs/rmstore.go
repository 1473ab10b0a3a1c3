package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/objstore-dev/objstore/backend"
)

func init() {
	backend.RegisterRemover("file", removeURL)
}

// removeOp is the Op of RemoveStore's errors.
const removeOp = "remove-store"

// removeURL is the remover of file:// URLs: RemoveStore of the directory
// the URL names (as openURL reads it). The query parameters of openURL
// are accepted and have no effect on a removal.
func removeURL(ctx context.Context, u *url.URL) error {
	dir, err := dirFromURL(u)
	if err != nil {
		return backend.NewError(removeOp, "", backend.ErrInvalidArgument, err)
	}
	for name := range u.Query() {
		if name != "stale_temp_age" && name != "metadata" {
			return backend.NewError(removeOp, "", backend.ErrInvalidArgument,
				fmt.Errorf("URL %q: unknown query parameter %q (known: stale_temp_age, metadata)", u.Redacted(), name))
		}
	}
	return RemoveStore(ctx, dir)
}

// RemoveStore removes the store directory dir, which must hold no file:
// the directories below it that hold nothing but directories (which a
// crash, or the removal of the last object under them, may leave) are
// removed with it, deepest first. It is the file:// remover of
// backend.RemoveStore and objstore.RemoveStore.
//
// It never removes a file. A store that holds one fails with ErrExist
// and names it: an object (remove it first), a temp file of a put in
// progress or of a crashed writer (RemoveStaleTemps removes it once it is
// stale), or a file that is no object (a link, a special file, a name no
// key maps to), which objstore never removes. Directories are removed
// with rmdir semantics only (unlinkat with AT_REMOVEDIR where there is
// one), so a put that writes into the store meanwhile makes the removal
// fail with ErrExist, never loses its object. A missing dir is
// ErrNotFound; a dir that is a symbolic link or no directory is
// ErrInvalidArgument. Open Backends on dir see it gone.
func RemoveStore(ctx context.Context, dir string) error {
	if dir == "" {
		return backend.NewError(removeOp, "", backend.ErrInvalidArgument, errors.New("directory is empty"))
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return backend.NewError(removeOp, "", backend.ErrInvalidArgument, err)
	}
	if filepath.Dir(abs) == abs {
		return backend.NewError(removeOp, "", backend.ErrInvalidArgument, fmt.Errorf("%s is the root of the file system", abs))
	}
	if err := ctx.Err(); err != nil {
		return backend.NewError(removeOp, "", nil, err)
	}
	fi, err := os.Lstat(abs)
	switch {
	case isNotExist(err):
		return backend.NewError(removeOp, "", backend.ErrNotFound, fmt.Errorf("no store at %s: the directory does not exist", abs))
	case err != nil:
		return backend.NewError(removeOp, "", kindOf(err), err)
	case fi.Mode()&iofs.ModeSymlink != 0:
		return backend.NewError(removeOp, "", backend.ErrInvalidArgument, fmt.Errorf(
			"%s is a symbolic link: remove the store it points to by the URL of that directory, and the link yourself", abs))
	case !fi.IsDir():
		return backend.NewError(removeOp, "", backend.ErrInvalidArgument, fmt.Errorf("%s is not a directory, so no file:// store", abs))
	}

	root, err := os.OpenRoot(abs)
	if err != nil {
		return backend.NewError(removeOp, "", kindOf(err), err)
	}
	defer root.Close()
	b := &Backend{root: root, dir: abs}
	var dirs []string // in WalkDir's order: every parent before its children
	err = iofs.WalkDir(root.FS(), ".", func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." {
				dirs = append(dirs, p)
			}
			return nil
		}
		return notEmptyError(abs, p, d.Type())
	})
	if err != nil {
		var be *backend.Error
		if errors.As(err, &be) {
			return err
		}
		return backend.NewError(removeOp, "", kindOf(err), fmt.Errorf("reading the store %s: %w", abs, err))
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		p := dirs[i]
		if err := b.rmdirAt(parentDir(p), p[strings.LastIndexByte(p, '/')+1:]); err != nil && !isNotExist(err) {
			return rmdirError(abs, p, err)
		}
	}
	parent, err := os.OpenRoot(filepath.Dir(abs))
	if err != nil {
		return backend.NewError(removeOp, "", kindOf(err), err)
	}
	defer parent.Close()
	pb := &Backend{root: parent, dir: filepath.Dir(abs)}
	if err := pb.rmdirAt(".", filepath.Base(abs)); err != nil {
		if isNotExist(err) {
			return backend.NewError(removeOp, "", backend.ErrNotFound, fmt.Errorf("the directory %s was removed meanwhile", abs))
		}
		return rmdirError(abs, ".", err)
	}
	return nil
}

// notEmptyError says that the store in abs holds the entry p (relative,
// slash-separated) of type typ, and what to do about it.
func notEmptyError(abs, p string, typ iofs.FileMode) error {
	name := p[strings.LastIndexByte(p, '/')+1:]
	var what string
	switch key, isKey := pathToKey(p); {
	case typ.IsRegular() && isTempName(name):
		what = fmt.Sprintf("it holds %q, a temp file of a put in progress or of a crashed writer: "+
			"New and RemoveStaleTemps remove it once it is older than the stale-temp age (%v by default); "+
			"remove it yourself if no put is running", p, DefaultStaleTempAge)
	case typ.IsRegular() && isKey:
		what = fmt.Sprintf("it holds the object %q: remove the objects first", key)
	default:
		what = fmt.Sprintf("it holds %q, which is no object (a link, a special file or a name no key maps to) "+
			"and which objstore never removes: move or remove it yourself", p)
	}
	return backend.NewError(removeOp, "", backend.ErrExist, fmt.Errorf("the store %s is not empty: %s", abs, what))
}

// rmdirError is the failure to remove the directory p of the store abs:
// ErrExist when something was written into it meanwhile.
func rmdirError(abs, p string, err error) error {
	if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
		return backend.NewError(removeOp, "", backend.ErrExist, fmt.Errorf(
			"the store %s is not empty: %q was written to while the store was being removed: %w", abs, p, err))
	}
	return backend.NewError(removeOp, "", kindOf(err), fmt.Errorf("removing the store %s: %w", abs, err))
}
