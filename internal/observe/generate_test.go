package observe_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generateLine is a //go:generate line that runs gen_compose.go.
var generateLine = regexp.MustCompile(`(?m)^//go:generate go run (\S*gen_compose\.go)(.*)$`)

// The generated files are what gen_compose.go writes now: run its
// //go:generate line again, to stdout, and compare. When this fails, run
// `go generate ./internal/observe/ ./backend/prefix/ ./backend/failover/`.
func TestGeneratedFilesAreFresh(t *testing.T) {
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command runs the generator")
	for _, dir := range []string{".", "../../backend/prefix", "../../backend/failover"} {
		src, err := os.ReadFile(filepath.Join(dir, "compose.go"))
		require.NoError(t, err)
		m := generateLine.FindSubmatch(src)
		require.NotNil(t, m, "%s/compose.go has a //go:generate line for gen_compose.go", dir)
		args := strings.Fields(string(m[2]))
		out := "compose_gen.go"
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "-out" {
				out = args[i+1]
				args = append(args[:i], args[i+2:]...)
				break
			}
		}
		cmd := exec.CommandContext(t.Context(), goBin, append([]string{"run", string(m[1])}, append(args, "-out", "-")...)...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		want, err := cmd.Output()
		require.NoError(t, err, "%s: %s", dir, stderr.String())
		got, err := os.ReadFile(filepath.Join(dir, out))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%s/%s is stale: go generate ./internal/observe/ ./backend/prefix/ ./backend/failover/", dir, out)
	}
}
