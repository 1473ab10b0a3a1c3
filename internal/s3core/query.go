package s3core

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/objstore-dev/objstore/backend"
	"github.com/objstore-dev/objstore/backend/failover"
)

// Query reads the query parameters of a minio:// or s3:// URL, so that
// the parameters both take (region, part_size, concurrency,
// create_bucket, max_attempts, attempt_timeout, stall_timeout,
// max_elapsed) and their own mean and parse the same in both. Each
// method sets its destination when the parameter is given; the first
// value that does not parse is kept for Err, and the methods after it do
// nothing.
type Query struct {
	values url.Values
	err    error
}

// NewQuery checks that every parameter of values is one of known and is
// given once, so that a typo is an error rather than a default.
func NewQuery(values url.Values, known []string) (*Query, error) {
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("unknown query parameter %q (known: %s)", name, strings.Join(known, ", "))
		}
		if n := len(values[name]); n != 1 {
			return nil, fmt.Errorf("query parameter %q is given %d times", name, n)
		}
	}
	return &Query{values: values}, nil
}

// Params returns own and the parameters of every minio:// and s3:// URL:
// region, part_size, concurrency, create_bucket and the retry settings
// of every network driver (failover.RetryParams).
func Params(own ...string) []string {
	return append(append(own, "region", "part_size", "concurrency", "create_bucket"), failover.RetryParams()...)
}

// Common reads the parameters of Params into a driver's Config fields,
// the retry settings last, and returns the first error.
func (q *Query) Common(region *string, partSize *int64, conc *int, create *bool, retry *failover.Retry) error {
	*region = q.Get("region")
	q.Size("part_size", partSize)
	q.Count("concurrency", conc)
	q.Bool("create_bucket", create)
	if q.err != nil {
		return q.err
	}
	return retry.ParseQuery(q.values)
}

// Get returns the value of the parameter name, "" when it is not given.
func (q *Query) Get(name string) string { return q.values.Get(name) }

// Err returns the first value that did not parse, naming its parameter;
// the value is redacted (backend.Redact), as it may hold a secret.
func (q *Query) Err() error { return q.err }

// Bool reads true or false (or what else strconv.ParseBool takes: 1, 0,
// t, f, ...).
func (q *Query) Bool(name string, dst *bool) { set(q, name, dst, strconv.ParseBool, "true or false") }

// Count reads a whole number, 0 or more (0: the driver's default).
func (q *Query) Count(name string, dst *int) {
	set(q, name, dst, nonNegative(strconv.Atoi), "a whole number of 0 or more")
}

// Duration reads a duration such as 30s or 1m30s, 0 or more (0: the
// driver's default).
func (q *Query) Duration(name string, dst *time.Duration) {
	set(q, name, dst, nonNegative(time.ParseDuration), "a duration such as 30s")
}

// Size reads a byte count with ParseSize.
func (q *Query) Size(name string, dst *int64) { set(q, name, dst, ParseSize, sizeForm) }

func set[T any](q *Query, name string, dst *T, parse func(string) (T, error), want string) {
	v := q.values.Get(name)
	if v == "" || q.err != nil {
		return
	}
	x, err := parse(v)
	if err != nil {
		q.err = fmt.Errorf("%s=%q is not %s", name, backend.Redact(v), want)
		return
	}
	*dst = x
}

func nonNegative[T int | time.Duration](parse func(string) (T, error)) func(string) (T, error) {
	return func(v string) (T, error) {
		x, err := parse(v)
		if err == nil && x < 0 {
			err = errors.New("negative")
		}
		return x, err
	}
}

const sizeForm = "a size such as 16MiB (a whole number of bytes greater than 0, or of KiB, MiB, GiB)"

// sizeUnits are the suffixes of ParseSize, longest first.
var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30},
	{"B", 1},
}

// ParseSize reads a byte count such as 5242880, 16MiB or 100B: a whole
// number greater than 0, then optionally a unit, KiB, MiB or GiB (K, KB,
// M, MB, G and GB mean the same binary units), or B for bytes.
//
// 0 is refused: no part, buffer or limit these counts set can be 0 bytes,
// and a URL asks for a driver's default by leaving the parameter out (in
// a Config, whose zero value means the defaults, PartSize 0 still does).
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, ok := digits(s)
	if !ok || n == 0 || n > (1<<62)/mult {
		return 0, errors.New("not " + sizeForm)
	}
	return n * mult, nil
}
