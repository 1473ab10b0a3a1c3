package metrics_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
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

// The Observer goes into the failover layer's configuration (here through
// minio.Config.Observer or failover.Config.Observer); it shares the
// registry with the wrappers.
func ExampleObserver() {
	reg := prometheus.NewRegistry()
	obs := metrics.Observer(reg, metrics.WithName("cluster"))
	// cfg := minio.Config{Endpoints: ..., Observer: obs}
	obs.EndpointState("10.0.0.2:9000", false)
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			fmt.Println(mf.GetName(), m.GetLabel()[1].GetValue(), m.GetGauge().GetValue())
		}
	}
	// Output:
	// objstore_endpoint_up 10.0.0.2:9000 0
}
