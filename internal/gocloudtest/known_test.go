package gocloudtest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// rule is one of objstore's documented rules that a drivertest subtest
// breaks: keys (backend.ValidateKey, docs/errors.md ErrInvalidKey) and
// metadata keys (backend.NormalizeMetadata, docs/errors.md
// ErrInvalidArgument). msg matches the message of a failure it causes.
type rule struct {
	doc string
	msg *regexp.Regexp
}

var (
	ruleDoubleSlash = rule{
		"a key has no empty segment ('//')",
		regexp.MustCompile(`invalid key: key contains '//'`)}
	ruleTrailingSlash = rule{
		"a key does not end with '/'",
		regexp.MustCompile(`invalid key: key ends with '/'`)}
	ruleControl = rule{
		"a key holds no control character (U+0000-U+001F, U+007F-U+009F)",
		regexp.MustCompile(`invalid key: key contains a control character`)}
	ruleDots = rule{
		`a key has no "." or ".." segment, nor such a component between '\' (MinIO's path-traversal rule, kept on every driver)`,
		regexp.MustCompile(`invalid key: key contains a '\.' or '\.\.' (segment|path component)`)}
	ruleMetadataKey = rule{
		"a metadata key is 1 to 128 of a-z, 0-9, '-' and '_', starting with a letter",
		regexp.MustCompile(`invalid argument: metadata key ".*": (must start with a letter|may hold only letters, digits, '-' and '_')`)}
)

// knownFailures are the subtests of drivertest that fail on every driver
// only because they use keys or metadata keys that objstore refuses, by
// its documented rules, before any I/O. The keys are gocloud's
// escape.WeirdStrings, prefixed.
var knownFailures = map[string][]rule{
	// Puts every weird key under one prefix and stops at the first that
	// is refused, which depends on map order.
	"TestListWeirdKeys": {ruleDoubleSlash, ruleTrailingSlash, ruleControl, ruleDots},
	// Wants Attributes("someDir/") to be NotFound; objstore refuses the
	// key (InvalidArgument). Every other check of it passes (the child
	// run shows no other message).
	"TestAttributes": {ruleTrailingSlash},
	// Metadata keys such as "foo bar baz", "☺☺☺" and the ASCII runs.
	"TestMetadata/weird_metadata_keys": {ruleMetadataKey},
	"TestKeys/repeatedfwdslashes":      {ruleDoubleSlash},             // foo//bar///baz
	"TestKeys/dotdotslash":             {ruleTrailingSlash, ruleDots}, // ../foo/../bar/../../baz../
	"TestKeys/dotdotbackslash":         {ruleDots},                    // ..\foo\..\bar\..\..\baz..\
	"TestKeys/ascii-1":                 {ruleControl},                 // U+0000-U+000F
	"TestKeys/ascii-2":                 {ruleControl},                 // U+0010-U+001F
	"TestKeys/ascii-3":                 {ruleTrailingSlash},           // ` !"#$%&'()*+,-./`
	"TestKeys/ascii-8":                 {ruleControl},                 // `pqrstuvwxyz{|}~` and U+007F
}

func ruleDocs(rules []rule) string {
	docs := make([]string, len(rules))
	for i, r := range rules {
		docs[i] = r.doc
	}
	return strings.Join(docs, "; ")
}

// envRunKnown, set in a child process, runs the known failures instead of
// skipping them.
const envRunKnown = "OBJSTORE_GOCLOUDTEST_RUN_KNOWN"

var (
	headerLine = regexp.MustCompile(`^=== (?:RUN|NAME|CONT)\s+(\S+)`)
	resultLine = regexp.MustCompile(`^\s*--- (FAIL|PASS|SKIP): (\S+) \(`)
	msgLine    = regexp.MustCompile(`^\s+[\w.-]+\.go:\d+: (.*)$`)
)

// checkKnownFailures runs the known failures of the drivertest run named
// root (a top-level test) in a child process of this test binary and
// reports each problem: a known failure that passes (or did not run),
// another test that fails, and a message of a known failure that none of
// its rules explains.
func checkKnownFailures(t *testing.T, root string, known map[string][]rule) {
	problems, out := knownFailureProblems(t, root, known)
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.Logf("child run:\n%s", out)
	}
}

func knownFailureProblems(t *testing.T, root string, known map[string][]rule) (problems []string, out []byte) {
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	slices.Sort(names)
	// One alternation per level of the names: -test.run matches each
	// level of a subtest's name with its own pattern.
	var levels [][]string
	for _, n := range names {
		for i, part := range strings.Split(n, "/") {
			if i == len(levels) {
				levels = append(levels, nil)
			}
			if q := regexp.QuoteMeta(part); !slices.Contains(levels[i], q) {
				levels[i] = append(levels[i], q)
			}
		}
	}
	pattern := "^" + regexp.QuoteMeta(root) + "$"
	for _, l := range levels {
		pattern += "/^(" + strings.Join(l, "|") + ")$"
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run", pattern, "-test.v", "-test.count=1", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), envRunKnown+"=1")
	out, _ = cmd.CombinedOutput() // it fails: that is the point

	failed := map[string]bool{}
	msgs := map[string][]string{}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := headerLine.FindStringSubmatch(line); m != nil {
			cur = m[1]
		} else if m := resultLine.FindStringSubmatch(line); m != nil {
			if m[1] == "FAIL" {
				failed[m[2]] = true
			}
		} else if m := msgLine.FindStringSubmatch(line); m != nil {
			msgs[cur] = append(msgs[cur], m[1])
		} else if ms := msgs[cur]; len(ms) > 0 && strings.HasPrefix(line, "        ") {
			ms[len(ms)-1] += "\n" + strings.TrimSpace(line) // a message of several lines
		}
	}
	// entry is the known failure that test name n is, or lies below.
	entry := func(n string) (string, bool) {
		for _, k := range names {
			if full := root + "/" + k; n == full || strings.HasPrefix(n, full+"/") {
				return k, true
			}
		}
		return "", false
	}
	for _, k := range names {
		if !failed[root+"/"+k] {
			problems = append(problems, fmt.Sprintf("%s passes now (or did not run): take it off the known failures", k))
		}
	}
	for n := range failed {
		if _, isKnown := entry(n); !isKnown && !isAncestor(n, root, names) {
			problems = append(problems, fmt.Sprintf("%s failed, and it is not a known failure: %q", n, msgs[n]))
		}
	}
	for n, ms := range msgs {
		k, isKnown := entry(n)
		if !isKnown {
			continue
		}
		for _, m := range ms {
			if !slices.ContainsFunc(known[k], func(r rule) bool { return r.msg.MatchString(m) }) {
				problems = append(problems, fmt.Sprintf("%s failed with a message that none of its rules (%s) explains:\n%s", n, ruleDocs(known[k]), m))
			}
		}
	}
	slices.Sort(problems)
	return problems, out
}

// The check of the known failures can fail: on mem, with TestAttributes
// put down to the wrong rule and a passing subtest listed, it reports
// exactly those two problems.
func TestKnownFailuresCheckCanFail(t *testing.T) {
	if os.Getenv(envRunKnown) != "" {
		t.Skip("in the child run")
	}
	wrong := maps.Clone(knownFailures)
	wrong["TestAttributes"] = []rule{ruleControl}
	wrong["TestRead"] = []rule{ruleControl}
	problems, out := knownFailureProblems(t, "TestMem", wrong)
	if len(problems) != 2 ||
		!strings.HasPrefix(problems[0], "TestMem/TestAttributes failed with a message that none of its rules") ||
		!strings.HasPrefix(problems[1], "TestRead passes now") {
		t.Errorf("problems:\n%s\nchild run:\n%s", strings.Join(problems, "\n"), out)
	}
}

// isAncestor reports whether test n is root or a parent of a known
// failure (a parent fails when a subtest does).
func isAncestor(n, root string, names []string) bool {
	for _, k := range names {
		if full := root + "/" + k; strings.HasPrefix(full, n+"/") {
			return true
		}
	}
	return false
}
