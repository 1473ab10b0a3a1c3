// Command bench times the objstore client against the Go object-store
// libraries its users would otherwise choose (raw minio-go, raw
// aws-sdk-go-v2, gocloud.dev/blob's s3blob, thanos-io/objstore's S3
// provider) on one local MinIO server that it starts itself, its GCS
// and Azure drivers against gocloud's and the services' own clients on
// fake-gcs-server and Azurite (workloads gcs and azblob), and its local
// drivers (fs, mem) against their limits. See docs/benchmarks.md.
//
// It lives in a module of its own so that the peers' dependencies stay out
// of the library's go.mod. `make bench` runs it as
//
//	cd bench && go run . -markdown ../docs/benchmarks.md
//
// Every workload runs in rounds that are interleaved across contestants
// (A B C D A B C D ...); the table holds the median of the rounds and the
// ratio of objstore to the best peer on every row. -quick makes a short
// run for development; -run picks workloads.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	minio "github.com/minio/minio-go/v7"
)

// settings are the command line.
type settings struct {
	quick     bool
	rounds    int
	markdown  string
	run       map[string]bool
	stores    []string
	bigSize   int64
	bigRounds int
	listKeys  int
	verbose   bool
	sizes     string
	noExtra   bool
	variants  string
	cpuProf   string
	srvProf   string
	start     time.Time
	// picked holds the contestants -stores names (any server's); nil:
	// all. stores is its MinIO part, in the order given.
	picked map[string]bool
	// ops are the operations of the put/get rows and of the emulators'
	// listing to run (put, get, list).
	ops map[string]bool
	// gcsBigPut runs the unknown-size put on fake-gcs-server too.
	gcsBigPut bool
}

// workloads, in the order they run.
var workloads = []string{"overhead", "local", "putget", "list", "dirlist", "stream", "bigput", serverGCS, serverAzure}

func (c *settings) logf(format string, args ...any) {
	if c.verbose {
		fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(c.start).Seconds(), fmt.Sprintf(format, args...))
	}
}

func parseFlags(args []string) (*settings, *childFlags, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	c := &settings{start: time.Now()}
	var run, stores, ops string
	fs.BoolVar(&c.quick, "quick", false, "a short run: fewer rounds, smaller batches, 10,000 keys to list, a 256 MiB unknown-size put")
	fs.IntVar(&c.rounds, "rounds", 0, "rounds of every workload (default 9, or 3 with -quick)")
	fs.StringVar(&c.markdown, "markdown", "", "write the report as markdown to this file (e.g. ../docs/benchmarks.md)")
	fs.StringVar(&run, "run", strings.Join(workloads, ","), "workloads to run, comma-separated: "+strings.Join(workloads, ", "))
	fs.StringVar(&stores, "stores", "", "contestants to run, comma-separated (default all; each workload runs those of its server): "+strings.Join(storeNames(), ", "))
	fs.StringVar(&ops, "ops", "put,get,list", "operations to run, comma-separated: put and get (the put/get rows of putget, gcs and azblob; put also azblob's unknown-size put), list (the listing of gcs and azblob); e.g. one row for a CPU profile")
	fs.BoolVar(&c.gcsBigPut, "gcs-bigput", false, "run the unknown-size put (-bigsize) on fake-gcs-server too (slow: the emulator hashes the whole upload after every chunk)")
	fs.Int64Var(&c.bigSize, "bigsize", 0, "bytes of the unknown-size put of bigput and azblob (default 1 GiB, or 256 MiB with -quick)")
	fs.IntVar(&c.bigRounds, "bigrounds", 2, "rounds of the unknown-size put (each moves -bigsize bytes per contestant)")
	fs.IntVar(&c.listKeys, "listkeys", 0, "keys of the large listing (default 100,000, or 10,000 with -quick)")
	fs.BoolVar(&c.verbose, "v", true, "log progress to stderr")
	fs.StringVar(&c.sizes, "sizes", "", "object sizes of the put/get rows, comma-separated (default all: 1KiB,1MiB,64MiB)")
	fs.BoolVar(&c.noExtra, "no-nocheck", false, "leave out the put/get column of the MinIO driver with SkipConflictCheck")
	fs.StringVar(&c.variants, "minio-variants", "4:8388608", "extra MinIO-driver columns in the put/get rows with other Config.Concurrency and PartSize, as CONCURRENCY:PARTSIZE pairs, comma-separated (\"\" for none)")
	fs.StringVar(&c.cpuProf, "cpuprofile", "", "write a CPU profile of the run to this file")
	fs.StringVar(&c.srvProf, "serverprofile", "", "write a CPU profile of the MinIO server, over the workloads that use it, to this file")
	cf := registerChildFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if c.rounds <= 0 {
		c.rounds = 9
		if c.quick {
			c.rounds = 3
		}
	}
	if c.bigSize <= 0 {
		c.bigSize = 1 << 30
		if c.quick {
			c.bigSize = 256 << 20
		}
	}
	if c.listKeys <= 0 {
		c.listKeys = 100_000
		if c.quick {
			c.listKeys = 10_000
		}
	}
	c.run = map[string]bool{}
	for _, w := range strings.Split(run, ",") {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if !contains(workloads, w) {
			return nil, nil, fmt.Errorf("-run: unknown workload %q (have %s)", w, strings.Join(workloads, ", "))
		}
		c.run[w] = true
	}
	if stores == "" {
		c.stores = storeNames(serverMinIO)
	} else {
		c.picked = map[string]bool{}
		for _, s := range strings.Split(stores, ",") {
			s = strings.TrimSpace(s)
			if !contains(storeNames(), s) {
				return nil, nil, fmt.Errorf("-stores: unknown contestant %q (have %s)", s, strings.Join(storeNames(), ", "))
			}
			c.picked[s] = true
			if contains(storeNames(serverMinIO), s) {
				c.stores = append(c.stores, s)
			}
		}
	}
	c.ops = map[string]bool{}
	for _, o := range strings.Split(ops, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if !contains([]string{"put", "get", "list"}, o) {
			return nil, nil, fmt.Errorf("-ops: unknown operation %q (have put, get, list)", o)
		}
		c.ops[o] = true
	}
	return c, cf, nil
}

// storeNames returns the names of the contestants on server, or of all
// of them for "".
func storeNames(server ...string) []string {
	var names []string
	for _, s := range allStores {
		if len(server) == 0 || contains(server, s.server) {
			names = append(names, s.name)
		}
	}
	return names
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func main() {
	cfg, cf, err := parseFlags(os.Args[1:])
	if err != nil {
		if err == flag.ErrHelp {
			return
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cf.mode != "" {
		if err := runChild(ctx, cf); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	if cfg.cpuProf != "" {
		f, err := os.Create(cfg.cpuProf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(ctx, cfg); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// benchBucket is the bucket every contestant uses.
const benchBucket = "bench"

func run(ctx context.Context, cfg *settings) error {
	defer removeChildBinary()
	var rep report
	rep.cfg = cfg
	rep.machine = describeMachine()
	rep.started = time.Now()
	rep.command = commandLine()

	if cfg.run["overhead"] {
		cfg.logf("overhead (Go benchmarks on mem)")
		t, err := runOverhead(cfg.quick)
		if err != nil {
			return err
		}
		rep.overhead = t
	}
	if cfg.run["local"] {
		cfg.logf("local drivers")
		ts, err := runLocal(ctx, cfg)
		if err != nil {
			return err
		}
		rep.local = ts
	}
	if cfg.run["dirlist"] {
		cfg.logf("directory listing on the local drivers")
		c, err := runDirListLocal(ctx, cfg)
		if err != nil {
			return err
		}
		rep.dirlistLocal = c
	}
	if cfg.run["putget"] || cfg.run["list"] || cfg.run["dirlist"] || cfg.run["stream"] || cfg.run["bigput"] {
		if err := runRemote(ctx, cfg, &rep); err != nil {
			return err
		}
	}
	for _, w := range emulatorWorkloads {
		if !cfg.run[w.name] {
			continue
		}
		c, err := runEmulator(ctx, cfg, w)
		if err != nil {
			return err
		}
		rep.emulated = append(rep.emulated, c)
	}
	rep.finished = time.Now()
	var buf bytes.Buffer
	rep.markdown(&buf)
	os.Stdout.Write(buf.Bytes())
	if cfg.markdown != "" {
		if err := os.WriteFile(cfg.markdown, buf.Bytes(), 0o644); err != nil {
			return err
		}
		cfg.logf("wrote %s", cfg.markdown)
	}
	return nil
}

// runRemote starts the MinIO server and runs the workloads that need it.
func runRemote(ctx context.Context, cfg *settings, rep *report) error {
	cfg.logf("starting MinIO")
	srv, err := startMinIO("")
	if err != nil {
		return err
	}
	defer srv.stop()
	rep.minioVersion = minioVersion()
	t := target{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Region: srv.Region, Bucket: benchBucket}
	mc, err := newMinioGoClient(t)
	if err != nil {
		return err
	}
	if err := mc.MakeBucket(ctx, benchBucket, minio.MakeBucketOptions{Region: t.Region}); err != nil {
		return fmt.Errorf("creating the bucket: %w", err)
	}
	var stores []store
	for _, name := range cfg.stores {
		s, err := openStore(ctx, name, t)
		if err != nil {
			return fmt.Errorf("opening %s: %w", name, err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	if cfg.srvProf != "" {
		stopProfile, err := profileServer(ctx, srv, cfg.srvProf)
		if err != nil {
			return err
		}
		defer func() {
			if err := stopProfile(); err != nil {
				cfg.logf("%v", err)
			}
		}()
	}
	seed := &minioGoStore{c: mc, bucket: benchBucket}
	remote := &comparison{
		title: "Object stores on one local MinIO server",
		intro: "Sequential operations of one client on one MinIO server (single drive) on this machine. " +
			"Higher is better unless marked. Each cell is the median of the rounds; the last columns divide " +
			"each objstore driver's figure by the best peer's (above 1.00x: objstore is faster or leaner).",
	}
	for _, s := range stores {
		remote.columns = append(remote.columns, s.Name())
		if s.Name() == nameObjMinIO || s.Name() == nameObjS3 {
			remote.objstore = append(remote.objstore, s.Name())
		}
	}
	rep.remote = remote
	if cfg.run["putget"] {
		pg := stores
		if contains(cfg.stores, nameObjMinIO) && !cfg.noExtra {
			// The driver without its conflict check, after the driver
			// with it: for the put rows (gets are the same code).
			s, err := openObjstoreMinIONoCheck(ctx, t)
			if err != nil {
				return err
			}
			defer s.Close()
			pg = append([]store{stores[0], s}, stores[1:]...)
			remote.columns = append([]string{remote.columns[0], s.Name()}, remote.columns[1:]...)
			remote.objstore = append(remote.objstore, s.Name())
		}
		for _, v := range strings.Split(cfg.variants, ",") {
			if v == "" {
				continue
			}
			s, err := openObjstoreMinIOVariant(ctx, t, v)
			if err != nil {
				return err
			}
			defer s.Close()
			pg = append(pg, s)
			remote.columns = append(remote.columns, s.Name())
			remote.objstore = append(remote.objstore, s.Name())
		}
		rows, err := runPutGet(ctx, cfg, pg, seed)
		if err != nil {
			return err
		}
		remote.rows = append(remote.rows, rows...)
	}
	data := minioListData(mc)
	if cfg.run["list"] {
		rows, err := runList(ctx, cfg, t, stores, data)
		if err != nil {
			return err
		}
		remote.rows = append(remote.rows, rows...)
	}
	if cfg.run["dirlist"] {
		c, err := runDirList(ctx, cfg, t, data)
		if err != nil {
			return err
		}
		rep.dirlist = c
	}
	if cfg.run["bigput"] {
		rows, err := runBigPut(ctx, cfg, t, stores)
		if err != nil {
			return err
		}
		remote.rows = append(remote.rows, rows...)
	}
	if cfg.run["stream"] {
		st, err := runStream(ctx, cfg, t)
		if err != nil {
			return err
		}
		rep.stream = st
	}
	return nil
}

// commandLine is the command that reproduces this run.
func commandLine() string {
	args := make([]string, 0, len(os.Args))
	for _, a := range os.Args[1:] {
		if strings.ContainsAny(a, " \t'\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		args = append(args, a)
	}
	return strings.TrimSpace("cd bench && go run . " + strings.Join(args, " "))
}
