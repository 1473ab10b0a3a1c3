package main

import (
	"context"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// location is one operand of cp: an object in a store, a local file, or
// stdin/stdout.
type location struct {
	url  string // the store, for an object
	key  string // the object's key; "" for a local file
	file string // the local file, or "-"
}

func (l location) isObject() bool { return l.key != "" || l.url != "" }

func (l location) String() string {
	if l.isObject() {
		return showURL(l.url) + "#" + l.key
	}
	return l.file
}

// parseLocation reads a cp operand:
//
//	SCHEME://STORE#KEY   the object KEY in the store that the URL names
//	:KEY                 the object KEY in the store of --url/$OBJSTORE_URL
//	-                    stdin or stdout
//	anything else        a local file (write ./:x for a file named ":x")
//
// The key is everything after the first '#', so keys may contain '#'.
func (a *app) parseLocation(s string) (location, error) {
	switch {
	case s == "-":
		return location{file: "-"}, nil
	case strings.HasPrefix(s, ":"):
		if len(s) == 1 {
			return location{}, usagef("%q: no key after ':'", s)
		}
		return location{url: a.storeURL(), key: s[1:]}, nil
	case strings.Contains(s, "://"):
		u, key, ok := strings.Cut(s, "#")
		if !ok || key == "" {
			return location{}, usagef("%q names a store but no object: write %s#KEY", showURL(s), showURL(u))
		}
		return location{url: u, key: key}, nil
	default:
		return location{file: s}, nil
	}
}

func (a *app) cpCommand() *cobra.Command {
	var contentType string
	var meta []string
	var recursive bool
	tree := treeOptions{op: "cp"}
	cmd := &cobra.Command{
		Use:   "cp SRC DST",
		Short: "Copy an object, or with -r a prefix or directory, between stores and local files",
		Long: `cp copies one object. Each of SRC and DST is one of:

  SCHEME://STORE#KEY   the object KEY in the store the URL names
                       (e.g. file:///srv/data#captures/a.pcap,
                        minio://user:pass@host:9000/bucket#captures/a.pcap)
  :KEY                 the object KEY in the store of --url / $OBJSTORE_URL
  -                    stdin (as SRC) or stdout (as DST)
  PATH                 a local file (as DST: a directory gets the key's
                       last segment as file name)

At least one side must be an object. The key is everything after the
first '#'. A DST key ending in '/' gets SRC's last segment appended.
Content type and metadata are copied from an object SRC; --content-type
and --meta replace them. The copy streams: memory does not grow with the
object. Quote URLs in the shell: '#' and '&' are special there.

With -r, SRC and DST are prefixes or local directories (URL#PREFIX,
:PREFIX, PATH; no '#' or ':' alone is the whole store) and everything
under SRC is copied under DST, --jobs at a time, as 'objstore mirror
--overwrite' does: every object, also those that DST holds already (see
'objstore mirror --help'; mirror skips what is up to date).`,
		Example: `  objstore cp ./a.pcap :captures/a.pcap
  objstore cp 'file:///srv/old#captures/a.pcap' 'minio://k:s@host:9000/pktcap#captures/a.pcap'
  objstore cp :captures/a.pcap ./restore/
  objstore cp -r --jobs 8 ./captures :captures/`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if recursive {
				if contentType != "" || meta != nil {
					return usagef("cp -r: --content-type and --meta apply to one object: a tree copy keeps each object's own")
				}
				return a.copyTree(cmd, args[0], args[1], tree)
			}
			for _, f := range []string{"jobs", "dry-run"} {
				if cmd.Flags().Changed(f) {
					return usagef("cp: --%s applies to a tree copy: add -r", f)
				}
			}
			src, err := a.parseLocation(args[0])
			if err != nil {
				return err
			}
			dst, err := a.parseLocation(args[1])
			if err != nil {
				return err
			}
			if !src.isObject() && !dst.isObject() {
				return usagef("cp %s %s: neither side is an object (write :KEY or URL#KEY for one)", args[0], args[1])
			}
			if src.file == "-" && dst.file == "-" {
				return usagef("cp - -: neither side is an object")
			}
			md, err := parseMeta(meta)
			if err != nil {
				return err
			}
			if err := checkContentType(contentType); err != nil {
				return err
			}
			if dst.isObject() && strings.HasSuffix(dst.key, "/") {
				base := src.key
				if !src.isObject() {
					base = src.file
				}
				dst.key += path.Base(strings.ReplaceAll(base, "\\", "/"))
			}
			ctx := cmd.Context()
			return a.copy(ctx, src, dst, contentType, md)
		},
	}
	cmd.Flags().StringVar(&contentType, "content-type", "", "MIME type of the copy (default: the source's)")
	cmd.Flags().StringArrayVar(&meta, "meta", nil, "user metadata KEY=VALUE of the copy, replacing the source's (repeatable)")
	cmd.Flags().BoolVarP(&recursive, "recursive", "r", false, "copy every object under a prefix, or every file under a directory")
	treeFlags(cmd, &tree)
	return cmd
}

// copy streams src to dst.
func (a *app) copy(ctx context.Context, src, dst location, contentType string, md map[string]string) (err error) {
	// The source: a reader, its size, content type and metadata.
	var (
		r    io.Reader
		size int64
		opts backend.PutOptions
	)
	if src.isObject() {
		if err := backend.ValidateKey("get", src.key); err != nil {
			return err
		}
		var c *objstore.Client
		if c, err = a.openStore(ctx, "cp", src.url, existingStore); err != nil {
			return err
		}
		defer closeWith(c, &err)
		var (
			rc   io.ReadCloser
			info backend.ObjectInfo
		)
		if rc, info, err = openObject(ctx, c, src.key); err != nil {
			return err
		}
		defer rc.Close()
		r, size = rc, info.Size
		opts = backend.PutOptions{ContentType: info.ContentType, Metadata: info.Metadata}
	} else {
		var done func()
		if r, size, done, err = a.openLocal(ctx, "cp", dst.key, src.file); err != nil {
			return err
		}
		defer done()
		opts = backend.PutOptions{ContentType: guessContentType(src.file)}
	}
	if contentType != "" {
		opts.ContentType = contentType
	}
	if md != nil {
		opts.Metadata = md
	}
	opts.Size = size
	r, finish := a.track(r, size, "cp "+src.String())

	// The destination.
	var written int64
	switch {
	case dst.isObject():
		if err := backend.ValidateKey("put", dst.key); err != nil {
			finish(false)
			return err
		}
		var c *objstore.Client
		c, err = a.openStore(ctx, "cp", dst.url, createStore)
		if err != nil {
			finish(false)
			return err
		}
		defer closeWith(c, &err)
		var info backend.ObjectInfo
		info, err = c.PutObjectWith(ctx, dst.key, r, opts)
		written = info.Size
	case dst.file == "-":
		written, err = io.Copy(a.out, r)
	default:
		target := localTarget(dst.file, src.key)
		dst.file = target
		err = writeLocal("cp", src.key, target, true, func(w io.Writer) error {
			var err error
			written, err = io.Copy(w, r)
			var le *localFileError
			if err != nil && !errors.As(err, &le) {
				err = backend.NewError("cp", src.key, nil, err)
			}
			return err
		})
	}
	finish(err == nil)
	if err != nil {
		return err
	}
	if size >= 0 && written != size {
		return backend.NewError("cp", src.key, objstore.ErrUnavailable, io.ErrUnexpectedEOF)
	}
	if dst.file == "-" {
		return nil
	}
	if a.asJSON {
		return a.emit(map[string]any{"from": src.String(), "to": dst.String(), "size": written})
	}
	a.status(a.out, "copied %s -> %s (%s)\n", src, dst, plural(written, "byte"))
	return nil
}
