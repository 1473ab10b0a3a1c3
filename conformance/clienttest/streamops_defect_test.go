package clienttest

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// Defect tests for the stream-operation checks (streamops.go): each check
// runs, in a child test process, on mem with one deliberate defect, and
// must fail there. The child process is needed because the checks take a
// *testing.T and fail through it.

// streamOpDefects maps a defect to the check that must catch it.
var streamOpDefects = []struct {
	name  string
	check string
	wrap  func(backend.Backend) backend.Backend
}{
	{"listings hide stream markers", "stream/list-streams", func(b backend.Backend) backend.Backend {
		return &hideKeys{Backend: b, hide: func(k string) bool { return strings.HasSuffix(k, "/.inprogress") }}
	}},
	{"listings carry no modification time", "stream/seek-by-time", func(b backend.Backend) backend.Backend {
		return &zeroListTimes{Backend: b}
	}},
	{"a starting stream is never seen", "stream/wait-for-start", func(b backend.Backend) backend.Backend {
		return &blindStreams{Backend: b}
	}},
	{"markers look old", "stream/exclusive-writer-lease", func(b backend.Backend) backend.Backend {
		return &oldMarkers{Backend: b}
	}},
}

// zeroListTimes lists objects without their modification times.
type zeroListTimes struct{ backend.Backend }

func (z *zeroListTimes) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	page, err := z.Backend.List(ctx, opts)
	for i := range page.Objects {
		page.Objects[i].LastModified = time.Time{}
	}
	return page, err
}

// blindStreams never serves the chunks of the streams under "wfs/" to
// Get: a reader that waits for a stream to start never sees its data.
type blindStreams struct{ backend.Backend }

func (s *blindStreams) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	if strings.HasPrefix(key, "wfs/") {
		return nil, backend.ObjectInfo{}, backend.NewError("get", key, backend.ErrNotFound, nil)
	}
	return s.Backend.Get(ctx, key, opts)
}

// oldMarkers reports every marker as written an hour ago.
type oldMarkers struct{ backend.Backend }

func (o *oldMarkers) age(info backend.ObjectInfo) backend.ObjectInfo {
	if strings.HasSuffix(info.Key, "/.inprogress") {
		info.LastModified = info.LastModified.Add(-time.Hour)
	}
	return info
}

func (o *oldMarkers) Stat(ctx context.Context, key string) (backend.ObjectInfo, error) {
	info, err := o.Backend.Stat(ctx, key)
	return o.age(info), err
}

func (o *oldMarkers) Get(ctx context.Context, key string, opts backend.GetOptions) (io.ReadCloser, backend.ObjectInfo, error) {
	rc, info, err := o.Backend.Get(ctx, key, opts)
	return rc, o.age(info), err
}

const defectEnv = "CLIENTTEST_STREAM_DEFECT"

// TestStreamOpDefectChild runs one check on one defect; it does nothing
// unless the parent test started it.
func TestStreamOpDefectChild(t *testing.T) {
	name := os.Getenv(defectEnv)
	if name == "" {
		t.Skip("run by TestStreamOpChecksCatchDefects")
	}
	for _, d := range streamOpDefects {
		if d.name != name {
			continue
		}
		for _, c := range cases {
			if c.name == d.check {
				b := mem.New()
				t.Cleanup(func() { b.Close() })
				c.fn(t, d.wrap(b))
				return
			}
		}
		t.Fatalf("no check %q", d.check)
	}
	t.Fatalf("no defect %q", name)
}

func TestStreamOpChecksCatchDefects(t *testing.T) {
	for _, d := range streamOpDefects {
		t.Run(d.name, func(t *testing.T) {
			// The healthy backend passes the same check (it runs in TestRunMem).
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestStreamOpDefectChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), defectEnv+"="+d.name)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "check %s passed a backend with the defect %q:\n%s", d.check, d.name, out)
			assert.Contains(t, string(out), "--- FAIL: TestStreamOpDefectChild", "%s", out)
		})
	}
}
