package consistency_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend/consistency"
	"github.com/objstore-dev/objstore/backend/mem"
)

// A unit test of code that lists what it wrote, on a store whose listings
// lag writes by ten seconds, with a manual clock: nothing sleeps.
func Example() {
	ctx := context.Background()
	clock := consistency.NewManualClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	c := objstore.New(consistency.New(mem.New(), consistency.Options{Window: 10 * time.Second, Clock: clock}))
	defer c.Close()

	_, _ = c.PutObject(ctx, "reports/a.csv", strings.NewReader("1,2"), nil)
	st, _ := c.StatObject(ctx, "reports/a.csv")
	fmt.Println("stat:", st.Size, st.LastModified)
	names, _ := c.ListObjects(ctx, "reports/")
	fmt.Println("listed at once:", names)

	clock.Advance(10 * time.Second)
	names, _ = c.ListObjects(ctx, "reports/")
	fmt.Println("listed 10s later:", names)
	// Output:
	// stat: 3 2030-01-01 12:00:00 +0000 UTC
	// listed at once: []
	// listed 10s later: [reports/a.csv]
}
