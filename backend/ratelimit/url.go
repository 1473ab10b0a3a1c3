package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/objstore-dev/objstore/backend"
)

// The query parameters that objstore.Open accepts on every store URL
// (see FromURL). A value of 0 is no limit.
const (
	// ParamRequests is requests per second, e.g. 50 or 0.5.
	ParamRequests = "requests_per_sec"
	// ParamBurst is requests let through at once (default: the rate
	// rounded up, at least 1). It needs ParamRequests.
	ParamBurst = "request_burst"
	// ParamReadBytes is bytes per second delivered by Get readers: a
	// size such as 10MiB, 512KiB, 1.5GiB or 1000000, optionally with /s.
	ParamReadBytes = "read_bytes_per_sec"
	// ParamWriteBytes is bytes per second read from Put readers, written
	// as ParamReadBytes.
	ParamWriteBytes = "write_bytes_per_sec"
)

// Params lists the query parameters of FromURL.
var Params = []string{ParamRequests, ParamBurst, ParamReadBytes, ParamWriteBytes}

// FromURL takes the rate-limit parameters (Params) out of a store URL. It
// returns the URL without them, byte for byte as written otherwise (the
// driver sees no parameter of ours), and wrap, which wraps the backend
// opened from rest in a new Limiter with those limits; with none of the
// parameters in rawURL, rest is rawURL and wrap returns its argument.
//
//	rest, wrap, err := ratelimit.FromURL("s3://logs?region=eu-west-1&read_bytes_per_sec=10MiB")
//	// rest: "s3://logs?region=eu-west-1"
//	b, err := backend.Open(ctx, rest)
//	b = wrap(b) // reads at 10 MiB/s
//
// objstore.Open does this for every URL, so the parameters work with
// every driver. The Limiter of a backend opened so is found with
// LimiterOf, to change its limits (SetLimits) or to export its metrics
// (metrics.RateLimitCollector).
//
// A parameter given twice, a value that is not a rate, a negative rate or
// request_burst without requests_per_sec is an *backend.Error for "open"
// with Kind ErrInvalidArgument naming the parameter.
func FromURL(rawURL string) (rest string, wrap func(backend.Backend) backend.Backend, err error) {
	rest, lim, found, err := splitURL(rawURL)
	if err != nil || !found {
		return rest, func(b backend.Backend) backend.Backend { return b }, err
	}
	return rest, func(b backend.Backend) backend.Backend {
		w, _ := New(b, Options{Limits: lim})
		return w
	}, nil
}

// splitURL removes the parameters of Params from the query of rawURL
// (the text between the first '?' and the first '#' after it, as
// url.Parse reads it) and parses them.
func splitURL(rawURL string) (rest string, lim Limits, found bool, err error) {
	head, fragment, hasFragment := strings.Cut(rawURL, "#")
	base, query, hasQuery := strings.Cut(head, "?")
	if !hasQuery {
		return rawURL, Limits{}, false, nil
	}
	var kept []string
	seen := map[string]bool{}
	for _, pair := range strings.Split(query, "&") {
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, uerr := url.QueryUnescape(rawName)
		if uerr != nil || !isParam(name) {
			kept = append(kept, pair)
			continue
		}
		value, uerr := url.QueryUnescape(rawValue)
		if uerr != nil {
			value = rawValue
		}
		fail := func(format string, args ...any) (string, Limits, bool, error) {
			return rawURL, Limits{}, false, backend.NewError("open", "", backend.ErrInvalidArgument,
				fmt.Errorf("store URL %q: query parameter %s=%q: %s", backend.Redact(rawURL), name, value, fmt.Sprintf(format, args...)))
		}
		if seen[name] {
			return fail("given more than once")
		}
		seen[name] = true
		found = true
		switch name {
		case ParamRequests:
			r, perr := parseNumber(value)
			if perr != nil {
				return fail("not a number of requests per second such as 50 or 0.5 (0: no limit)")
			}
			lim.Requests = r
		case ParamBurst:
			n, perr := strconv.Atoi(strings.TrimSpace(value))
			if perr != nil || n < 0 {
				return fail("not a whole number of requests such as 10")
			}
			lim.Burst = n
		case ParamReadBytes, ParamWriteBytes:
			r, perr := parseByteRate(value)
			if perr != nil {
				return fail("%v", perr)
			}
			if name == ParamReadBytes {
				lim.ReadBytes = r
			} else {
				lim.WriteBytes = r
			}
		}
	}
	if !found {
		return rawURL, Limits{}, false, nil
	}
	if seen[ParamBurst] && lim.Requests == 0 {
		return rawURL, Limits{}, false, backend.NewError("open", "", backend.ErrInvalidArgument,
			fmt.Errorf("store URL %q: query parameter %s needs %s", backend.Redact(rawURL), ParamBurst, ParamRequests))
	}
	rest = base
	if len(kept) > 0 {
		rest += "?" + strings.Join(kept, "&")
	}
	if hasFragment {
		rest += "#" + fragment
	}
	return rest, lim, true, nil
}

func isParam(name string) bool {
	for _, p := range Params {
		if name == p {
			return true
		}
	}
	return false
}

// parseNumber reads a finite, non-negative decimal number.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "eEpPxX_") {
		return 0, errors.New("not a plain number")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errors.New("not a non-negative number")
	}
	return f, nil
}

// byteUnits are the units of parseByteRate, longest first: KiB, MiB, ...
// and K, M, G, T alone are binary (as in dd and the objstore command);
// KB, MB, GB, TB are decimal.
var byteUnits = []struct {
	suffix string
	mult   float64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40},
	{"B", 1},
}

// parseByteRate reads bytes per second: a number with an optional unit
// and an optional "/s", e.g. 10MiB, 10MiB/s, 1.5GiB, 512K, 1000000.
func parseByteRate(s string) (float64, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	mult := 1.0
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	f, err := parseNumber(t)
	if err != nil {
		return 0, errors.New("not a rate in bytes per second such as 10MiB, 512KiB, 1.5GiB or 1000000 (0: no limit)")
	}
	return f * mult, nil
}

// LimiterOf returns the Limiter of the outermost rate-limit wrapper in
// b's chain: b itself or a backend it wraps (through Unwrap), such as the
// backend of a client opened with rate-limit URL parameters
// (client.Backend()).
func LimiterOf(b backend.Backend) (*Limiter, bool) {
	for b != nil {
		if w := asWrapper(b); w != nil {
			return w.l, true
		}
		u, ok := b.(backend.Wrapper)
		if !ok {
			return nil, false
		}
		b = u.Unwrap()
	}
	return nil, false
}

// asWrapper returns the *wrapper that b is, or that b holds as the base
// of the value Wrap returns (observe.Compose: a struct of the base and the
// capabilities, whose own type Go cannot name here).
func asWrapper(b backend.Backend) *wrapper {
	if w, ok := b.(*wrapper); ok {
		return w
	}
	v := reflect.ValueOf(b)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := range v.NumField() {
		if f := v.Field(i); f.CanInterface() {
			if w, ok := f.Interface().(*wrapper); ok {
				return w
			}
		}
	}
	return nil
}
