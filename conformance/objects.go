package conformance

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"io"
	"time"

	"github.com/objstore-dev/objstore/backend"
)

func checkRoundTrip(t T, b backend.Backend) {
	const key = "round/trip.bin"
	data := payload(1, 100<<10+3)
	since := time.Now()
	mustPut(t, b, key, data, sized(data))

	st := mustStat(t, b, key)
	wantInfo(t, "Stat", st, key, int64(len(data)), since)
	if st.ContentType != backend.DefaultContentType {
		t.Errorf("Stat: content type %q, want the default %q", st.ContentType, backend.DefaultContentType)
	}
	if len(st.Metadata) != 0 {
		t.Errorf("Stat: metadata %v, want none", st.Metadata)
	}

	got, gi := mustGet(t, b, key, backend.WholeObject)
	if !bytes.Equal(got, data) {
		t.Errorf("Get returned %s, want %s", describe(got), describe(data))
	}
	wantInfo(t, "Get", gi, key, int64(len(data)), since)
	if gi.ETag != st.ETag || gi.ContentType != st.ContentType {
		t.Errorf("Get says ETag %q, content type %q; Stat says %q, %q", gi.ETag, gi.ContentType, st.ETag, st.ContentType)
	}

	objs := listAll(t, b, "", 0)
	if len(objs) != 1 || objs[0].Key != key {
		t.Fatalf("List of a store holding only %q = %s", key, quoteAll(keysOf(objs)))
	}
	if objs[0].Size != int64(len(data)) {
		t.Errorf("List: size %d, want %d", objs[0].Size, len(data))
	}
	if objs[0].ETag != "" && objs[0].ETag != st.ETag {
		t.Errorf("List: ETag %q, Stat: ETag %q", objs[0].ETag, st.ETag)
	}

	// Unknown size, from a reader that hides its length.
	const key2 = "round/unknown-size"
	data2 := payload(2, 5000)
	if _, err := b.Put(t.Context(), key2, opaqueReader{bytes.NewReader(data2)}, backend.PutOptions{Size: -1}); err != nil {
		t.Fatalf("Put(%q, Size -1): %v", key2, err)
	}
	wantContent(t, b, key2, data2, "put with unknown size")
}

func checkOverwrite(t T, b backend.Backend) {
	const key = "over/write"
	v1 := payload(10, 20000)
	i1 := mustPut(t, b, key, v1, backend.PutOptions{Size: int64(len(v1)), ContentType: "text/plain", Metadata: map[string]string{"version": "one"}})
	st1 := mustStat(t, b, key)

	v2 := payload(11, 777)
	mustPut(t, b, key, v2, sized(v2))
	wantContent(t, b, key, v2, "after overwrite")
	st2 := mustStat(t, b, key)
	if st2.ETag == st1.ETag {
		t.Errorf("the ETag %q did not change when the content did (Put returned %q)", st2.ETag, i1.ETag)
	}
	if len(st2.Metadata) != 0 {
		t.Errorf("metadata after an overwrite without metadata = %v, want none (an overwrite replaces, it does not merge)", st2.Metadata)
	}
	if st2.ContentType != backend.DefaultContentType {
		t.Errorf("content type after an overwrite without one = %q, want %q", st2.ContentType, backend.DefaultContentType)
	}
	objs := listAll(t, b, "", 0)
	if len(objs) != 1 || objs[0].Key != key || objs[0].Size != int64(len(v2)) {
		t.Errorf("List after overwrite = %s (sizes %v), want one object of %d bytes", quoteAll(keysOf(objs)), sizesOf(objs), len(v2))
	}
}

func sizesOf(objs []backend.ObjectInfo) []int64 {
	s := make([]int64, len(objs))
	for i, o := range objs {
		s[i] = o.Size
	}
	return s
}

func checkZeroByte(t T, b backend.Backend) {
	since := time.Now()
	mustPut(t, b, "zero/known", nil, backend.PutOptions{Size: 0})
	if _, err := b.Put(t.Context(), "zero/unknown", opaqueReader{bytes.NewReader(nil)}, backend.PutOptions{Size: -1}); err != nil {
		t.Fatalf("Put(zero/unknown, empty reader, Size -1): %v", err)
	}
	for _, key := range []string{"zero/known", "zero/unknown"} {
		wantInfo(t, "Stat("+key+")", mustStat(t, b, key), key, 0, since)
		got, info := mustGet(t, b, key, backend.WholeObject)
		if len(got) != 0 || info.Size != 0 {
			t.Errorf("Get(%q) returned %d bytes, info size %d; want 0, 0", key, len(got), info.Size)
		}
		got, _ = mustGet(t, b, key, backend.GetOptions{Offset: 0, Length: 10})
		if len(got) != 0 {
			t.Errorf("Get(%q, offset 0, length 10) returned %d bytes, want 0", key, len(got))
		}
		rc, _, err := b.Get(t.Context(), key, backend.GetOptions{Offset: 1, Length: -1})
		if rc != nil {
			rc.Close()
		}
		wantErr(t, err, backend.ErrInvalidArgument, "Get(%q, offset 1) of an empty object", key)
	}
	objs := listAll(t, b, "zero/", 0)
	if len(objs) != 2 {
		t.Fatalf("List(zero/) = %s, want both empty objects", quoteAll(keysOf(objs)))
	}
	for _, o := range objs {
		if o.Size != 0 {
			t.Errorf("List: %q has size %d, want 0", o.Key, o.Size)
		}
	}
}

// largeSize is the size of the object of unknown size: larger than the
// part size of every multipart uploader, so that uploads really stream.
const largeSize = 64 << 20

// streamSource generates the large object on the fly, hashing what it
// delivers and keeping a copy of one window for the range check.
type streamSource struct {
	gen     io.Reader
	left    int
	pos     int
	sum     hash.Hash
	winOff  int
	window  []byte
	winSize int
	also    io.Writer // when set, gets every byte too
}

func (s *streamSource) Read(p []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), s.left)]
	n, _ := s.gen.Read(p)
	s.sum.Write(p[:n])
	if s.also != nil {
		s.also.Write(p[:n])
	}
	// Keep the part of p that falls inside the window.
	lo, hi := max(s.winOff, s.pos), min(s.winOff+s.winSize, s.pos+n)
	if lo < hi {
		s.window = append(s.window, p[lo-s.pos:hi-s.pos]...)
	}
	s.pos += n
	s.left -= n
	return n, nil
}

func checkLargeUnknownSize(t T, b backend.Backend) {
	const key = "large/unknown-size.bin"
	var seed [32]byte
	seed[0] = 64
	src := &streamSource{gen: newChaCha(seed), left: largeSize, sum: sha256.New(), winOff: 48<<20 + 7, winSize: 1000}
	// The checksums and attributes of a large upload (multipart on S3)
	// travel another way than those of a small one.
	sums := map[backend.ChecksumAlgorithm]hash.Hash{backend.CRC32C: backend.NewHash(backend.CRC32C), backend.MD5: backend.NewHash(backend.MD5)}
	src.also = io.MultiWriter(sums[backend.CRC32C], sums[backend.MD5])
	opts := backend.PutOptions{Size: -1, ContentType: "text", HTTPAttributes: sampleAttributes}
	if _, err := b.Put(t.Context(), key, opaqueReader{src}, opts); err != nil {
		t.Fatalf("Put(%q, %d bytes, Size -1): %v", key, largeSize, err)
	}
	want := src.sum.Sum(nil)

	st := mustStat(t, b, key)
	if st.Size != largeSize {
		t.Errorf("Stat: size %d, want %d", st.Size, largeSize)
	}
	wantAttributes(t, "Stat of a large object put with attributes", st.HTTPAttributes, sampleAttributes, st.ContentType, "text")
	if h := sums[st.Checksum.Algorithm]; h == nil {
		t.Errorf("Stat of a large object: checksum %q; every object a driver puts must have a CRC32C or MD5 checksum", st.Checksum)
	} else if got := (backend.Checksum{Algorithm: st.Checksum.Algorithm, Value: h.Sum(nil)}); !got.Equal(st.Checksum) {
		t.Errorf("Stat of a large object: checksum %s, but the bytes put have %s", st.Checksum, got)
	}
	rc, info, err := b.Get(t.Context(), key, backend.WholeObject)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if cerr := rc.Close(); cerr != nil {
		t.Errorf("closing the reader: %v", cerr)
	}
	if err != nil {
		t.Fatalf("reading %q after %d bytes: %v", key, n, err)
	}
	if n != largeSize || info.Size != largeSize {
		t.Errorf("Get returned %d bytes, info size %d; want %d", n, info.Size, largeSize)
	}
	if !bytes.Equal(h.Sum(nil), want) {
		t.Errorf("the sha256 of the bytes read back differs from that of the bytes put")
	}
	got, _ := mustGet(t, b, key, backend.GetOptions{Offset: int64(src.winOff), Length: int64(src.winSize)})
	if !bytes.Equal(got, src.window) {
		t.Errorf("Get(offset %d, length %d) returned %s, want %s", src.winOff, src.winSize, describe(got), describe(src.window))
	}
}

func checkSizeMismatch(t T, b backend.Backend) {
	cases := []struct {
		key      string
		declared int64
		actual   int
	}{
		{"size/fewer", 1000, 600},
		{"size/more", 1000, 1400},
		{"size/one-more-than-zero", 0, 1},
		{"size/empty-but-declared", 10, 0},
		{"size/one-fewer", 100 << 10, 100<<10 - 1},
		{"size/one-more", 100 << 10, 100<<10 + 1},
	}
	for i, c := range cases {
		data := payload(uint64(100+i), c.actual)
		_, err := b.Put(t.Context(), c.key, opaqueReader{bytes.NewReader(data)}, backend.PutOptions{Size: c.declared})
		wantErr(t, err, backend.ErrInvalidArgument, "Put(%q) of %d bytes declared as %d", c.key, c.actual, c.declared)
		wantAbsent(t, b, c.key, "after a put whose size did not match")
	}
	// Over an existing object, the old version stays.
	const key = "size/existing"
	old := payload(120, 3000)
	mustPut(t, b, key, old, sized(old))
	_, err := b.Put(t.Context(), key, opaqueReader{bytes.NewReader(payload(121, 2000))}, backend.PutOptions{Size: 2500})
	wantErr(t, err, backend.ErrInvalidArgument, "Put(%q) of 2000 bytes declared as 2500", key)
	wantContent(t, b, key, old, "after a failed overwrite whose size did not match")
}
