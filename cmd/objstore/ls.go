package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

// lsFlags are the flags of ls.
type lsFlags struct {
	long, recursive, human, summarize bool
}

// lsTotals counts what ls printed, for --summarize.
type lsTotals struct {
	objects, prefixes, streams, bytes int64
}

func (a *app) lsCommand() *cobra.Command {
	var f lsFlags
	cmd := &cobra.Command{
		Use:   "ls [PREFIX]",
		Short: "List one level under PREFIX (-r: every key under it)",
		Long: `ls lists one level under PREFIX, as a directory listing (mc ls): the
objects directly under it, each common prefix once ("PRE"), and each
stream object as one entry with its total size and state. PREFIX is
usually empty or ends with "/"; a PREFIX without "/" that names a
directory (keys exist under PREFIX/) and is not a stream lists inside
it, as PREFIX/ would; otherwise it lists the entries that start with it.

Default lines: KIND SIZE NAME, KIND being PRE (a prefix; size "-"), obj
(an object), stream:live or stream:closed (a stream object).
--long: size, last-modified (RFC 3339, UTC), ETag, key; a prefix shows
PRE and "-", a stream its total size, newest chunk time and
stream:live or stream:closed in the ETag column.
--json: one object per line with "type": object, prefix or stream.

Each stream entry costs a Stat and a List of its chunks on top of the
listing (and the stream check of the listing itself); -r costs neither.

-r/--recursive lists every key under PREFIX, flat, in lexical order
(stream objects as their chunk keys and .inprogress marker), one key
per line. -H/--human prints sizes as B, KiB, MiB, GiB ... (--json keeps
bytes). --summarize adds a total line: objects, prefixes, streams and
bytes.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			prefix := ""
			if len(args) == 1 {
				prefix = args[0]
			}
			ctx := cmd.Context()
			c, err := a.client(ctx, "ls", existingStore)
			if err != nil {
				return err
			}
			defer closeWith(c, &err)
			var tot lsTotals
			if f.recursive {
				err = a.lsRecursive(ctx, c, prefix, f, &tot)
			} else {
				err = a.lsLevel(ctx, c, prefix, f, &tot)
			}
			if err != nil {
				return err
			}
			if f.summarize {
				return a.lsSummary(f, tot)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&f.long, "long", "l", false, "show size, last-modified time and ETag")
	cmd.Flags().BoolVarP(&f.recursive, "recursive", "r", false, "list every key under PREFIX, flat (streams as their chunks)")
	cmd.Flags().BoolVarP(&f.human, "human", "H", false, "sizes in B, KiB, MiB, GiB, ... (not in --json)")
	cmd.Flags().BoolVar(&f.summarize, "summarize", false, "end with a total line: objects, prefixes, streams, bytes")
	return cmd
}

// lsRecursive prints every key under prefix, flat.
func (a *app) lsRecursive(ctx context.Context, c *objstore.Client, prefix string, f lsFlags, tot *lsTotals) error {
	for o, err := range c.Objects(ctx, prefix) {
		if err != nil {
			return err
		}
		tot.objects++
		tot.bytes += o.Size
		if err := a.lsObject(o, f); err != nil {
			return err
		}
	}
	return nil
}

// lsLevel prints one level under prefix (see lsDir for a prefix without
// "/").
func (a *app) lsLevel(ctx context.Context, c *objstore.Client, prefix string, f lsFlags, tot *lsTotals) error {
	dir, err := lsDir(ctx, c, prefix)
	if err != nil {
		return err
	}
	for e, err := range c.List(ctx, dir, objstore.ListOptions{}) {
		if err != nil {
			return err
		}
		switch {
		case !e.IsPrefix && !e.IsStream && e.Key == dir && strings.HasSuffix(dir, "/"):
			// The folder object of the level listed (an empty "photos/"
			// that a console made): it is the directory itself, shown
			// as PRE one level up; listing it here as an object would
			// show the directory inside itself.
			continue
		case e.IsPrefix:
			tot.prefixes++
			err = a.lsPrefix(e.Key, f)
		case e.IsStream:
			st, serr := c.StatObject(ctx, e.Key)
			if errors.Is(serr, objstore.ErrNotFound) {
				continue // removed since it was listed
			} else if serr != nil {
				return serr
			}
			tot.streams++
			tot.bytes += st.Size
			err = a.lsStream(e.Key, st, f)
		default:
			tot.objects++
			tot.bytes += e.Object.Size
			err = a.lsObject(e.Object, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// lsDir is the prefix to list one level of for the argument prefix. A
// prefix that is empty or ends with "/" is listed as given. Otherwise, as
// mc ls does, a name with keys under name+"/" is a directory and is
// listed inside (name+"/"), unless it is a stream object, which is listed
// as one entry. That check costs one List of name+"/" (the first key
// only) and, when it finds one, a StatObject of name.
func lsDir(ctx context.Context, c *objstore.Client, prefix string) (string, error) {
	if prefix == "" || strings.HasSuffix(prefix, "/") {
		return prefix, nil
	}
	if err := backend.ValidatePrefix("list", prefix); err != nil {
		return "", err
	}
	found := false
	for _, err := range c.Objects(ctx, prefix+"/") {
		if err != nil {
			return "", err
		}
		found = true
		break
	}
	if !found {
		return prefix, nil
	}
	st, err := c.StatObject(ctx, prefix)
	switch {
	case err == nil && st.IsStream:
		return prefix, nil
	case err == nil, errors.Is(err, objstore.ErrNotFound), errors.Is(err, objstore.ErrInvalidKey):
		return prefix + "/", nil
	default:
		return "", err
	}
}

// lsObject prints one object.
func (a *app) lsObject(o backend.ObjectInfo, f lsFlags) error {
	switch {
	case a.asJSON:
		return a.emit(struct {
			Type string `json:"type"`
			objectJSON
		}{"object", infoJSON(o)})
	case f.long:
		etag := o.ETag
		if etag == "" {
			etag = "-"
		}
		fprintf(a.out, "%12s  %-20s  %-34s  %s\n", sizeText(o.Size, f.human), timeText(o.LastModified), etag, o.Key)
	case f.recursive:
		fprintf(a.out, "%s\n", o.Key)
	default:
		fprintf(a.out, "%-13s  %10s  %s\n", "obj", sizeText(o.Size, f.human), o.Key)
	}
	return nil
}

// lsPrefix prints one common prefix (it ends with "/").
func (a *app) lsPrefix(key string, f lsFlags) error {
	switch {
	case a.asJSON:
		return a.emit(struct {
			Type string `json:"type"`
			Key  string `json:"key"`
		}{"prefix", key})
	case f.long:
		fprintf(a.out, "%12s  %-20s  %-34s  %s\n", "PRE", "-", "-", key)
	default:
		fprintf(a.out, "%-13s  %10s  %s\n", "PRE", "-", key)
	}
	return nil
}

// lsStreamJSON is the --json shape of a stream entry of ls.
type lsStreamJSON struct {
	Type         string `json:"type"`
	Key          string `json:"key"`
	Size         int64  `json:"size"`
	LastModified string `json:"last_modified,omitempty"`
	InProgress   bool   `json:"in_progress"`
	Chunks       int    `json:"chunks"`
}

// lsStream prints one stream object.
func (a *app) lsStream(key string, st *objstore.ObjectStats, f lsFlags) error {
	state := "stream:closed"
	if st.InProgress {
		state = "stream:live"
	}
	switch {
	case a.asJSON:
		j := lsStreamJSON{Type: "stream", Key: key, Size: st.Size, InProgress: st.InProgress, Chunks: st.Chunks}
		if !st.LastModified.IsZero() {
			j.LastModified = timeText(st.LastModified)
		}
		return a.emit(j)
	case f.long:
		fprintf(a.out, "%12s  %-20s  %-34s  %s\n", sizeText(st.Size, f.human), timeText(st.LastModified), state, key)
	default:
		fprintf(a.out, "%-13s  %10s  %s\n", state, sizeText(st.Size, f.human), key)
	}
	return nil
}

// lsSummary prints the --summarize line.
func (a *app) lsSummary(f lsFlags, t lsTotals) error {
	if a.asJSON {
		return a.emit(struct {
			Type     string `json:"type"`
			Objects  int64  `json:"objects"`
			Prefixes int64  `json:"prefixes"`
			Streams  int64  `json:"streams"`
			Bytes    int64  `json:"bytes"`
		}{"summary", t.objects, t.prefixes, t.streams, t.bytes})
	}
	total := plural(t.bytes, "byte")
	if f.human {
		total = humanBytes(t.bytes)
	}
	prefixes := fmt.Sprintf("%d prefixes", t.prefixes)
	if t.prefixes == 1 {
		prefixes = "1 prefix"
	}
	fprintf(a.out, "total: %s, %s, %s, %s\n", plural(t.objects, "object"), prefixes,
		plural(t.streams, "stream"), total)
	return nil
}

// sizeText is n in bytes, or in binary units with human.
func sizeText(n int64, human bool) string {
	if human {
		return humanBytes(n)
	}
	return fmt.Sprint(n)
}

// humanBytes is n as mc ls shows sizes: "512B", "1.5KiB", "12.0MiB".
func humanBytes(n int64) string {
	const units = "KMGTPE"
	if n < 1024 && n > -1024 {
		return fmt.Sprintf("%dB", n)
	}
	v := float64(n) / 1024
	i := 0
	for (v >= 1024 || v <= -1024) && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f%ciB", v, units[i])
}
