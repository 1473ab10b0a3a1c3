package conformance

import (
	"bytes"
	"io"

	"github.com/objstore-dev/objstore/backend"
)

func checkRangeRead(t T, b backend.Backend) {
	const key = "range/object"
	const size = 1000
	data := payload(20, size)
	mustPut(t, b, key, data, sized(data))

	ok := []struct {
		name           string
		offset, length int64
		want           []byte
	}{
		{"whole object", 0, -1, data},
		{"start", 0, 10, data[:10]},
		{"middle", 100, 50, data[100:150]},
		{"one byte", 500, 1, data[500:501]},
		{"tail to the end", 990, -1, data[990:]},
		{"last byte", size - 1, 1, data[size-1:]},
		{"exactly to the end", 900, 100, data[900:]},
		{"length running past the end is cut", 995, 100, data[995:]},
		{"huge length is cut", 10, 1 << 62, data[10:]},
		{"at the end, to the end: empty", size, -1, nil},
		{"at the end, with a length: empty", size, 5, nil},
		{"zero length at the start: empty", 0, 0, nil},
		{"zero length in the middle: empty", 5, 0, nil},
	}
	for _, c := range ok {
		got, info := mustGet(t, b, key, backend.GetOptions{Offset: c.offset, Length: c.length})
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s: Get(offset %d, length %d) returned %s, want %s", c.name, c.offset, c.length, describe(got), describe(c.want))
		}
		if info.Size != size {
			t.Errorf("%s: Get(offset %d, length %d) info says size %d, want the whole object's %d", c.name, c.offset, c.length, info.Size, size)
		}
	}

	bad := []struct {
		name           string
		offset, length int64
	}{
		{"one past the end", size + 1, -1},
		{"far past the end", size * 10, 10},
		{"negative offset", -1, 10},
		{"negative offset, whole", -5, -1},
	}
	for _, c := range bad {
		var err error
		noPanic(t, "Get with "+c.name, func() {
			var rc io.ReadCloser
			rc, _, err = b.Get(t.Context(), key, backend.GetOptions{Offset: c.offset, Length: c.length})
			if rc != nil && err == nil {
				rc.Close()
			}
		})
		wantErr(t, err, backend.ErrInvalidArgument, "%s: Get(offset %d, length %d) of a %d-byte object", c.name, c.offset, c.length, size)
	}

	// A large-enough object that ranges really travel as ranges.
	const big = "range/big"
	bigData := payload(21, 3<<20+17)
	mustPut(t, b, big, bigData, sized(bigData))
	for _, r := range [][2]int64{{0, 1 << 20}, {1<<20 + 3, 1 << 20}, {3 << 20, -1}, {2 << 20, 2 << 20}} {
		got, _ := mustGet(t, b, big, backend.GetOptions{Offset: r[0], Length: r[1]})
		end := int64(len(bigData))
		if r[1] >= 0 {
			end = min(end, r[0]+r[1])
		}
		if !bytes.Equal(got, bigData[r[0]:end]) {
			t.Errorf("Get(%q, offset %d, length %d) returned %s, want %d bytes", big, r[0], r[1], describe(got), end-r[0])
		}
	}
}
