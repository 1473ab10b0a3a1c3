package objstore_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log"
	"strings"

	objstore "github.com/objstore-dev/objstore"
	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/mem"
)

// OpenObject reports the object's attributes from the one request that
// opened it, and reads ranges with ReadAt and Seek.
func ExampleClient_OpenObject() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()
	_, err := c.PutObjectWith(ctx, "captures/a.pcap", strings.NewReader("HEADER|packet 1|packet 2|TRAILER"),
		backend.PutOptions{Size: -1, ContentType: "application/vnd.tcpdump.pcap", Metadata: map[string]string{"host": "h1"}})
	if err != nil {
		log.Fatal(err)
	}

	r, err := c.OpenObject(ctx, "captures/a.pcap")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println(r.Size(), r.ContentType(), r.Metadata()["host"])

	// ReadAt: any range, from any goroutine, without moving the Read offset.
	p := make([]byte, 8)
	if _, err := r.ReadAt(p, 16); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", p)

	// Seek, then Read on from there.
	if _, err := r.Seek(-7, io.SeekEnd); err != nil {
		log.Fatal(err)
	}
	tail, err := io.ReadAll(r)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", tail)
	// Output:
	// 32 application/vnd.tcpdump.pcap h1
	// "packet 2"
	// "TRAILER"
}

// FS is an io/fs view of a prefix: directories come from the keys, and a
// stream object is one file, the concatenation of its chunks.
func ExampleClient_FS() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()
	for _, k := range []string{"site/index.html", "site/css/main.css", "site/img/logo.svg", "other/x"} {
		if _, err := c.PutObject(ctx, k, strings.NewReader("<"+k+">"), nil); err != nil {
			log.Fatal(err)
		}
	}
	w, err := c.PutStreamObject(ctx, "site/logs/access", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprint(w, "GET / 200\n")
	fmt.Fprint(w, "GET /css/main.css 200\n")
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	fsys := c.FS(ctx, "site/")
	err = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fmt.Println(path, d.IsDir())
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	access, err := fs.ReadFile(fsys, "logs/access")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(access))
	// Output:
	// . true
	// css true
	// css/main.css false
	// img true
	// img/logo.svg false
	// index.html false
	// logs true
	// logs/access false
	// GET / 200
	// GET /css/main.css 200
}

// Exists answers for objects and stream objects alike; a name that is
// neither is false with a nil error.
func ExampleClient_Exists() {
	ctx := context.Background()
	c := objstore.New(mem.New())
	defer c.Close()
	if _, err := c.PutObject(ctx, "reports/monday", strings.NewReader("all good"), nil); err != nil {
		log.Fatal(err)
	}
	w, err := c.PutStreamObject(ctx, "captures/eth0", nil) // a stream in progress, no chunk yet
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	for _, name := range []string{"reports/monday", "captures/eth0", "reports/tuesday", "reports"} {
		ok, err := c.Exists(ctx, name)
		if err != nil {
			log.Fatal(err) // only for real failures: an invalid name, a store that cannot answer
		}
		fmt.Println(name, ok)
	}
	// Output:
	// reports/monday true
	// captures/eth0 true
	// reports/tuesday false
	// reports false
}
