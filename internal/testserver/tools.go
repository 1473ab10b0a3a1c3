// Package testserver starts real object-store servers (MinIO, a MinIO
// cluster, versitygw, fake-gcs-server, Azurite) as plain processes for the
// duration of one test.
//
// The servers are installed by `make tools` into the repository's .cache/
// directory. A test that needs a server that is not installed fails (it is
// never skipped) with a message asking to run `make tools`. Every server
// listens on a free port, uses fresh random credentials and a data
// directory under t.TempDir(), and is killed by t.Cleanup.
package testserver

import (
	"os"
	"path/filepath"
	"testing"
)

// ToolsEnv is the environment variable naming the directory where
// `make tools` installed the servers (the Makefile exports it). When it is
// unset, the .cache/ directory beside the module's go.mod is used.
const ToolsEnv = "OBJSTORE_TOOLS"

// ToolsDir returns the directory holding the installed servers: $OBJSTORE_TOOLS
// if set, else .cache/ in the nearest parent of the working directory that
// holds go.mod. It fails the test if neither can be found.
func ToolsDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(ToolsEnv); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".cache")
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("testserver: $%s is unset and no go.mod above %s; run `make tools` from the repository root", ToolsEnv, wd)
		}
	}
}

// toolPath returns the path of a tool relative to ToolsDir, failing the
// test with a hint to run `make tools` if it is not there.
func toolPath(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(ToolsDir(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testserver: %s not found (%v); run `make tools` to install the test servers", rel, err)
	}
	return p
}
