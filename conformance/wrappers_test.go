package conformance

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/objstore-dev/objstore/backend"
)

// Every exported interface of package backend but Backend, Wrapper and
// ChecksumVerified (the mark of a Get's body, not of a backend) is a
// capability RunWrapper checks: adding one to backend without listing it
// here (and in gen_wrappers.go, then `go generate ./conformance/`) fails.
var notCapabilities = []string{"Backend", "Wrapper", "ChecksumVerified"}

func TestCapabilitiesListEveryBackendInterface(t *testing.T) {
	files, err := filepath.Glob("../backend/*.go")
	require.NoError(t, err)
	var found []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if _, ok := ts.Type.(*ast.InterfaceType); ok && ts.Name.IsExported() && !slices.Contains(notCapabilities, ts.Name.Name) {
					found = append(found, ts.Name.Name)
				}
			}
		}
	}
	var listed []string
	for _, c := range Capabilities() {
		listed = append(listed, string(c))
	}
	slices.Sort(found)
	slices.Sort(listed)
	assert.Equal(t, found, listed, "the interfaces of package backend and the capabilities RunWrapper checks")
	assert.Equal(t, numCapabilities, len(capabilityList), "wrappers_gen.go is stale: go generate ./conformance/")
}

// withCapabilities makes every subset, exactly.
func TestWithCapabilitiesMakesEverySubset(t *testing.T) {
	f := newFullInner()
	defer f.Close()
	for mask := uint(0); mask < 1<<numCapabilities; mask++ {
		b := withCapabilities(f, mask)
		require.NotNil(t, b, "mask %b", mask)
		for i, c := range capabilityList {
			assert.Equal(t, mask&(1<<i) != 0, c.own(b), "mask %b, %s", mask, c.name)
		}
	}
	assert.Nil(t, withCapabilities(f, 1<<numCapabilities))
}

// The generated file is what gen_wrappers.go writes.
func TestWrappersGenIsFresh(t *testing.T) {
	src, err := os.ReadFile("gen_wrappers.go")
	require.NoError(t, err)
	for _, c := range capabilityList {
		assert.Contains(t, string(src), `"`+string(c.name)+`"`, "gen_wrappers.go lists %s", c.name)
	}
}

// recorder is a T that records failures instead of failing.
type recorder struct {
	*testing.T
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}

// The check fails the wrappers it is meant to catch.
func TestRunWrapperCatchesDefects(t *testing.T) {
	all := uint(1<<numCapabilities - 1)
	forward := map[Capability]Behaviour{KeyChecker: Unwrapped}
	for _, tc := range []struct {
		name string
		wrap func(inner backend.Backend, f *fullInner) backend.Backend
		want string
		mask uint
	}{
		{"hides everything", func(inner backend.Backend, _ *fullInner) backend.Backend { return struct{ backend.Backend }{inner} },
			"BatchRemover (forwarded; the inner backend has it: true): the wrapper's own value has it: false", all},
		{"claims everything", func(_ backend.Backend, f *fullInner) backend.Backend { return withCapabilities(f, all) },
			"Presigner (forwarded; the inner backend has it: false): the wrapper's own value has it: true", 0},
		{"does not call the inner", func(inner backend.Backend, _ *fullInner) backend.Backend {
			return withCapabilities(newFullInner(), all)
		}, "Composer (forwarded; the inner backend has it: true): a call did not reach the inner backend's", all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{T: t}
			f := newFullInner()
			defer f.Close()
			inner := withCapabilities(f, tc.mask)
			checkWrapper(r, tc.wrap(inner, f), f, tc.mask, forward)
			assert.Contains(t, strings.Join(r.errs, "\n"), tc.want)
		})
	}
	// A wrapper that is refused where it should be hidden, and one whose
	// refusal is not ErrNotSupported.
	r := &recorder{T: t}
	f := newFullInner()
	defer f.Close()
	checkWrapper(r, refuser{withCapabilities(f, 0)}, f, 0, map[Capability]Behaviour{Presigner: Refused, Lifecycler: Hidden})
	msgs := strings.Join(r.errs, "\n")
	assert.Contains(t, msgs, "Presigner (refused; the inner backend has it: false): a call gave <nil>, want an error wrapping ErrNotSupported")
	assert.Contains(t, msgs, "Lifecycler (hidden; the inner backend has it: false): the wrapper's own value has it: true")
}

// refuser claims Presigner and Lifecycler and answers without error.
type refuser struct{ backend.Backend }

func (refuser) Presign(context.Context, string, string, time.Duration, backend.PresignOptions) (string, error) {
	return "u", nil
}
func (refuser) SetExpiry(context.Context, string, int) error   { return nil }
func (refuser) Expiry(context.Context) (map[string]int, error) { return nil, nil }
