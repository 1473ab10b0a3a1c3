package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
)

func fprintf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}

// timeText formats times the same way everywhere: RFC 3339 in UTC.
func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// objectJSON is the --json shape of an object in ls, put and cp.
type objectJSON struct {
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	LastModified string            `json:"last_modified,omitempty"`
	ETag         string            `json:"etag,omitempty"`
	ContentType  string            `json:"content_type,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

func infoJSON(o backend.ObjectInfo) objectJSON {
	j := objectJSON{Key: o.Key, Size: o.Size, ETag: o.ETag, ContentType: o.ContentType, Metadata: o.Metadata}
	if !o.LastModified.IsZero() {
		j.LastModified = timeText(o.LastModified)
	}
	return j
}

// statJSON is the --json shape of stat.
type statJSON struct {
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	LastModified string            `json:"last_modified,omitempty"`
	ETag         string            `json:"etag,omitempty"`
	ContentType  string            `json:"content_type,omitempty"`
	Metadata     map[string]string `json:"metadata"`
	Stream       bool              `json:"stream"`
	InProgress   bool              `json:"in_progress"`
	Chunks       int               `json:"chunks"`
}

func statsJSON(key string, st *objstore.ObjectStats) statJSON {
	md := st.Metadata
	if md == nil {
		md = map[string]string{}
	}
	j := statJSON{Key: key, Size: st.Size, ETag: st.ETag, ContentType: st.ContentType, Metadata: md,
		Stream: st.IsStream, InProgress: st.InProgress, Chunks: st.Chunks}
	if !st.LastModified.IsZero() {
		j.LastModified = timeText(st.LastModified)
	}
	return j
}

// sortedKeys returns the keys of m in order, for stable output.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
