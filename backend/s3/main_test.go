package s3_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/objstore-dev/objstore/internal/testserver"
)

// TestMain isolates the tests from the machine's AWS setup (no shared
// config or credentials files, no instance metadata service: traffic goes
// only to the servers the tests start on 127.0.0.1) and checks that no
// goroutine outlives the tests.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "s3-test-aws")
	if err != nil {
		panic(err)
	}
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ACCESS_KEY_ID":           "",
		"AWS_SECRET_ACCESS_KEY":       "",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "",
		"AWS_DEFAULT_REGION":          "",
	} {
		if v == "" {
			os.Unsetenv(k)
		} else {
			os.Setenv(k, v)
		}
	}
	goleak.VerifyTestMain(&cleanupM{m, dir}, testserver.IgnoreSpawnThread())
}

// cleanupM removes the temporary AWS directory after the tests.
type cleanupM struct {
	m   *testing.M
	dir string
}

func (c *cleanupM) Run() int {
	defer os.RemoveAll(c.dir)
	return c.m.Run()
}
