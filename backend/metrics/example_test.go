package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
	"github.com/objstore-dev/objstore/backend/faults"
	"github.com/objstore-dev/objstore/backend/mem"
	"github.com/objstore-dev/objstore/backend/metrics"
)

// Turn metrics on for a client with WithMiddleware, and read them back
// from the registry (in production: serve it with promhttp.HandlerFor).
func Example() {
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	client := objstore.New(mem.New(), objstore.WithMiddleware(func(b backend.Backend) backend.Backend {
		return metrics.New(b, reg, metrics.WithName("captures"))
	}))
	defer client.Close()

	if _, err := client.PutObject(ctx, "cap/one.pcap", strings.NewReader("0123456789"), nil); err != nil {
		panic(err)
	}
	rc, err := client.GetObject(ctx, "cap/one.pcap")
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, rc)
	_ = rc.Close()
	// Backend() is the outermost wrapper: calls on it are counted too.
	_, err = client.Backend().Stat(ctx, "cap/missing.pcap")
	fmt.Println("missing:", err != nil)

	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.GetCounter() == nil {
				continue
			}
			fmt.Print(mf.GetName())
			for _, l := range m.GetLabel() {
				fmt.Printf(" %s=%s", l.GetName(), l.GetValue())
			}
			fmt.Println(":", m.GetCounter().GetValue())
		}
	}
	// Output:
	// missing: true
	// objstore_downloaded_bytes_total backend=captures: 10
	// objstore_operations_total backend=captures op=get outcome=ok: 1
	// objstore_operations_total backend=captures op=put outcome=ok: 1
	// objstore_operations_total backend=captures op=stat outcome=not_found: 1
	// objstore_uploaded_bytes_total backend=captures: 10
}

// A retry layer below the wrapper (here failover over one endpoint whose
// first Stat answers ErrServerBusy) reports its retries and failovers to
// the wrapper through the context of each call: nothing to configure.
func Example_retries() {
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	store := mem.New()
	plan := faults.NewPlan(faults.Fail(faults.Stat, backend.ErrServerBusy))
	fb, err := failover.New(ctx, failover.Config{
		Resolve: func(context.Context) ([]string, error) { return []string{"node1:9000"}, nil },
		Open:    func(context.Context, string) (backend.Backend, error) { return plan.Wrap(store), nil },
	})
	if err != nil {
		panic(err)
	}
	b := metrics.New(fb, reg, metrics.WithName("cluster"))
	defer b.Close()

	_, err = b.Stat(ctx, "cap/missing.pcap")
	fmt.Println("not found:", errors.Is(err, backend.ErrNotFound))
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "objstore_retries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			fmt.Print(mf.GetName())
			for _, l := range m.GetLabel() {
				fmt.Printf(" %s=%s", l.GetName(), l.GetValue())
			}
			fmt.Println(":", m.GetCounter().GetValue())
		}
	}
	// Output:
	// not found: true
	// objstore_retries_total backend=cluster op=stat reason=busy: 1
}
