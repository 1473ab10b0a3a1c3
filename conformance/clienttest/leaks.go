package clienttest

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The client starts no goroutine of its own: a stream reader that waits
// for a chunk does so in the caller's goroutine. The check below is
// goleak's idea narrowed to the client: it looks for goroutines running
// code of package objstore itself that did not exist when the subtest
// began. Counting all goroutines, as goleak does, would also count the
// idle connections of network drivers and the tests that other packages
// run at the same time.

// clientFrame marks a stack frame of the root package (subpackages have a
// '/' after "objstore").
const clientFrame = "github.com/objstore-dev/objstore."

// clientGoroutines returns the stacks of the goroutines that run client
// code, by goroutine header ("goroutine 42 [...]:").
func clientGoroutines() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	found := map[string]string{}
	for block := range bytes.SplitSeq(buf, []byte("\n\n")) {
		s := string(block)
		if !strings.Contains(s, clientFrame) {
			continue
		}
		header, _, _ := strings.Cut(s, "\n")
		id, _, _ := strings.Cut(header, " [")
		found[id] = s
	}
	return found
}

// wantNoClientGoroutines fails t if, for two seconds, a goroutine runs
// client code that was not running at base.
func wantNoClientGoroutines(t *testing.T, base map[string]string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		var leaked []string
		for id, stack := range clientGoroutines() {
			if _, old := base[id]; !old {
				leaked = append(leaked, stack)
			}
		}
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d goroutine(s) still run client code after the check:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
