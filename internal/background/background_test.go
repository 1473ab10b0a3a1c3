package background

import (
	"context"
	"testing"

	"go.uber.org/goleak"
)

func TestStopEndsAndWaits(t *testing.T) {
	defer goleak.VerifyNone(t)
	g := New()
	ended := make(chan struct{})
	if !g.Go(func(stop context.Context) { <-stop.Done(); close(ended) }) {
		t.Fatal("Go refused before Stop")
	}
	g.Stop()
	select {
	case <-ended:
	default:
		t.Fatal("Stop returned before the goroutine ended")
	}
	if g.Go(func(context.Context) { t.Error("ran after Stop") }) {
		t.Fatal("Go accepted work after Stop")
	}
	g.Stop() // idempotent
}
