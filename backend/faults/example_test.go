package faults_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
)

// A unit test of code that uses the client, over mem, with a store that
// refuses the first put, breaks the next download after two bytes, and
// fails a listing on its second page. In a test, finish with
// plan.AssertAllFired(t).
func Example() {
	ctx := context.Background()
	b, plan := faults.New(mem.New(),
		faults.Fail(faults.Put, backend.ErrUnavailable),
		faults.FailBody(faults.Get, 2, backend.ErrUnavailable).OnKey("a"),
		faults.FailPage(1, backend.ErrServerBusy),
	)
	c := objstore.New(b)
	defer c.Close()

	_, err := c.PutObject(ctx, "a", strings.NewReader("hello"), nil)
	fmt.Println("first put:", err)
	fmt.Println("unavailable:", errors.Is(err, backend.ErrUnavailable), "injected:", errors.Is(err, faults.ErrInjected))

	_, err = c.PutObject(ctx, "a", strings.NewReader("hello"), nil)
	fmt.Println("second put:", err)

	rc, _ := c.GetObject(ctx, "a")
	data, err := io.ReadAll(rc)
	rc.Close()
	fmt.Printf("get: %q, %v\n", data, errors.Is(err, backend.ErrUnavailable))

	page, _ := b.List(ctx, backend.ListOptions{PageSize: 1})
	_, err = b.List(ctx, backend.ListOptions{PageSize: 1, Token: page.NextToken})
	fmt.Println("second page busy:", errors.Is(err, backend.ErrServerBusy))

	fmt.Println("unfired:", plan.Unfired())
	// Output:
	// first put: objstore: put "a": store unavailable: injected fault (check that the server is running and reachable)
	// unavailable: true injected: true
	// second put: <nil>
	// get: "he", true
	// second page busy: true
	// unfired: []
}
