package objstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// listCounter counts List requests.
type listCounter struct {
	backend.Backend
	lists atomic.Int64
}

func (l *listCounter) List(ctx context.Context, opts backend.ListOptions) (backend.ListPage, error) {
	l.lists.Add(1)
	return l.Backend.List(ctx, opts)
}

// TestWatchIdleCost pins the documented cost of an idle watch: one
// listing per interval, ceil(n/1000) List requests for n objects, and
// nothing else; and an event is seen within one interval.
func TestWatchIdleCost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		b := mem.New()
		defer b.Close()
		lc := &listCounter{Backend: b}
		c := objstore.New(lc)
		for i := range 2500 {
			_, err := c.PutObject(ctx, fmt.Sprintf("p/%05d", i), strings.NewReader("x"), nil)
			require.NoError(t, err)
		}
		events := make(chan objstore.WatchEvent, 10)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for ev, err := range c.Watch(ctx, "p/", objstore.WatchOptions{Interval: 5 * time.Second}) {
				require.NoError(t, err)
				events <- ev
			}
		}()
		synctest.Wait()
		assert.EqualValues(t, 3, lc.lists.Load(), "the baseline: ceil(2500/1000) Lists")
		time.Sleep(10*5*time.Second + time.Second) // ten idle intervals
		synctest.Wait()
		assert.EqualValues(t, 3*11, lc.lists.Load(), "3 Lists per interval while idle")
		assert.Empty(t, events)

		_, err := c.PutObject(ctx, "p/new", strings.NewReader("y"), nil)
		require.NoError(t, err)
		start := time.Now()
		ev := <-events
		assert.Equal(t, objstore.WatchEvent{Type: objstore.WatchCreated, Object: ev.Object}, ev)
		assert.Equal(t, "p/new", ev.Object.Key)
		assert.LessOrEqual(t, time.Since(start), 5*time.Second, "seen within one interval")

		cancel()
		<-done
	})
}

// TestWatchDefaultInterval: the zero WatchOptions lists once a second.
func TestWatchDefaultInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		b := mem.New()
		defer b.Close()
		lc := &listCounter{Backend: b}
		c := objstore.New(lc)
		go func() {
			for range c.Watch(ctx, "", objstore.WatchOptions{}) {
			}
		}()
		time.Sleep(10*time.Second + time.Millisecond)
		synctest.Wait()
		assert.EqualValues(t, 11, lc.lists.Load(), "the baseline and one listing per second")
		cancel()
		synctest.Wait()
	})
}
