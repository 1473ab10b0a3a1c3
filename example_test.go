package objstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend/mem"
)

// Open a store by URL: mem:// here, file://./data or minio://... in
// production, with the same code.
func Example_open() {
	ctx := context.Background()
	c, err := objstore.Open(ctx, "mem://")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	if _, err := c.PutObject(ctx, "greetings/hello.txt", strings.NewReader("hello, world"), nil); err != nil {
		log.Fatal(err)
	}
	rc, err := c.GetObject(ctx, "greetings/hello.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(data))
	// Output: hello, world
}

// Swap the in-memory backend into a unit test: the code under test takes
// a *objstore.Client and never knows the difference.
func ExampleNew() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()

	saveReport := func(c *objstore.Client, name, body string) error {
		_, err := c.PutObject(ctx, "reports/"+name, strings.NewReader(body), map[string]string{"Format": "text"})
		return err
	}
	if err := saveReport(c, "monday", "all good"); err != nil {
		log.Fatal(err)
	}
	st, err := c.StatObject(ctx, "reports/monday")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Size, st.Metadata["format"])
	// Output: 8 text
}

func ExampleClient_PutObject() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()

	meta := map[string]string{"key": "value"}
	n, err := c.PutObject(ctx, "pktcap1", strings.NewReader("packets..."), meta)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored", n, "bytes")

	_, err = c.GetObject(ctx, "no-such-object")
	fmt.Println(errors.Is(err, objstore.ErrNotFound))
	// Output:
	// stored 10 bytes
	// true
}

// Every Write of a stream object stores one chunk; Close marks the stream
// complete.
func ExampleClient_PutStreamObject() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()

	w, err := c.PutStreamObject(ctx, "captures/eth0", map[string]string{"iface": "eth0"})
	if err != nil {
		log.Fatal(err)
	}
	for _, block := range []string{"first ", "second ", "third"} {
		if _, err := w.Write([]byte(block)); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	st, err := c.StatObject(ctx, "captures/eth0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.IsStream, st.Chunks, st.Size, st.InProgress)

	keys, err := c.ListObjects(ctx, "captures/eth0/")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(keys)

	rc, err := c.GetStreamObjectAtOffset(ctx, "captures/eth0", 1)
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()
	chunk, _ := io.ReadAll(rc)
	fmt.Printf("chunk 1: %q\n", chunk)
	// Output:
	// true 3 18 false
	// [captures/eth0/eth0.0 captures/eth0/eth0.1 captures/eth0/eth0.2]
	// chunk 1: "second "
}

// OpenStream follows a stream while its writer is live, like tail -f, and
// ends with io.EOF when the writer closes.
func ExampleClient_OpenStream() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()

	w, err := c.PutStreamObject(ctx, "logs/app", nil)
	if err != nil {
		log.Fatal(err)
	}
	rc, err := c.OpenStream(ctx, "logs/app", 0)
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()

	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 3 {
			fmt.Fprintf(w, "line %d\n", i)
		}
		w.Close()
	}()
	if _, err := io.Copy(os.Stdout, rc); err != nil { // returns at io.EOF, after Close
		log.Fatal(err)
	}
	<-done
	// Output:
	// line 0
	// line 1
	// line 2
}

// Objects walks any number of keys with flat memory, and stops listing
// when the loop ends.
func ExampleClient_Objects() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()
	for _, k := range []string{"a/1", "a/2", "a/3", "b/1"} {
		if _, err := c.PutObject(ctx, k, strings.NewReader(k), nil); err != nil {
			log.Fatal(err)
		}
	}
	for o, err := range c.Objects(ctx, "a/") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(o.Key, o.Size)
		if o.Key == "a/2" {
			break
		}
	}
	// Output:
	// a/1 3
	// a/2 3
}

func ExampleClient_RemoveObjects() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()
	for _, k := range []string{"tmp/1", "tmp/2", "keep"} {
		if _, err := c.PutObject(ctx, k, strings.NewReader(k), nil); err != nil {
			log.Fatal(err)
		}
	}
	if err := c.RemoveObjects(ctx, "tmp/"); err != nil {
		log.Fatal(err) // an errors.Join naming every key that could not be removed
	}
	keys, _ := c.ListObjects(ctx, "")
	fmt.Println(keys)
	// Output: [keep]
}

// NewClient is the original client's constructor: the bucket "tenant.service" on the
// MinIO servers that the resolver names.
func ExampleNewClient() {
	r := objstore.StaticResolver{"http://minio-1:9000", "http://minio-2:9000"}
	c, err := objstore.NewClient("default", "pktcap", r, objstore.WithCredentials("access", "secret"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
}
