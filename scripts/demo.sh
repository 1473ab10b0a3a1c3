#!/usr/bin/env bash
# scripts/demo.sh BIN — the main job of objstore, end to end, with the
# objstore command BIN on the embedded default store (file://./objstore-data,
# the fs backend): put a file, write a stream while a follower reads it,
# list, stat, read everything back and verify it. Exits non-zero on any
# mismatch. `make demo` builds bin/objstore and runs this.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 path/to/objstore" >&2
	exit 2
fi
BIN=$1
case $BIN in */*) BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") ;; esac
unset OBJSTORE_URL # the demo shows the embedded default

step() { printf '\n==> %s\n' "$*"; }
run() {
	printf '$ objstore %s\n' "$*"
	"$BIN" "$@"
}
sha256() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}
fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

WORK=$(mktemp -d)
PREFIX="demo-$(date +%Y%m%d-%H%M%S)-$$"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

step "objstore and the store it uses"
run version
echo "store: file://./objstore-data (the default: no --url, no OBJSTORE_URL) in $(pwd)"

step "put a 6 MiB file as one object, with metadata"
head -c $((6 << 20)) /dev/urandom >"$WORK/capture.pcap"
run put "$PREFIX/captures/capture.pcap" "$WORK/capture.pcap" --meta host=demo-host --meta iface=eth0

step "write a stream object line by line while a follower reads it (tail -f)"
for i in 1 2 3 4 5 6; do echo "packet $i: $(date +%T.%N)"; done >"$WORK/expected-stream.txt"
# The producer sends one line every 200ms; each line becomes one chunk.
(while IFS= read -r line; do echo "$line"; sleep 0.2; done <"$WORK/expected-stream.txt") |
	"$BIN" stream put --lines "$PREFIX/streams/eth0" >"$WORK/writer.out" &
WRITER=$!
PIDS+=("$WRITER")
printf '$ ... | objstore stream put --lines %s &\n' "$PREFIX/streams/eth0"
# The stream exists (in progress) as soon as the writer opened it.
for _ in $(seq 1 100); do
	"$BIN" --json stat "$PREFIX/streams/eth0" 2>/dev/null | grep -q '"in_progress":true' && break
	sleep 0.05
done
"$BIN" --json stat "$PREFIX/streams/eth0" | grep -q '"in_progress":true' || fail "the stream writer did not start"
printf '$ objstore stream get --follow %s &\n' "$PREFIX/streams/eth0"
"$BIN" stream get --follow "$PREFIX/streams/eth0" >"$WORK/followed.txt" &
FOLLOWER=$!
PIDS+=("$FOLLOWER")
sleep 0.5
echo "while the writer is still open:"
run stat "$PREFIX/streams/eth0"
wait "$WRITER" || fail "stream put failed"
cat "$WORK/writer.out"
wait "$FOLLOWER" || fail "stream get --follow failed"
echo "the follower ended when the writer closed the stream; it read:"
sed 's/^/    /' "$WORK/followed.txt"
cmp "$WORK/expected-stream.txt" "$WORK/followed.txt" || fail "the follower read something else than was written"
echo "OK: the follower read every chunk, in order, exactly once"

step "list"
run ls --long "$PREFIX/"

step "stat the object and the stream"
run stat "$PREFIX/captures/capture.pcap"
run stat "$PREFIX/streams/eth0"

step "read everything back and verify"
run get "$PREFIX/captures/capture.pcap" "$WORK/capture.back.pcap"
want=$(sha256 "$WORK/capture.pcap")
got=$(sha256 "$WORK/capture.back.pcap")
echo "sha256 put: $want"
echo "sha256 got: $got"
[ "$want" = "$got" ] || fail "the object read back differs (sha256)"
cmp "$WORK/capture.pcap" "$WORK/capture.back.pcap" || fail "the object read back differs (cmp)"
"$BIN" stream get "$PREFIX/streams/eth0" >"$WORK/stream.back.txt"
cmp "$WORK/expected-stream.txt" "$WORK/stream.back.txt" || fail "the stream read back differs"
echo "OK: the object and the stream read back byte for byte"

step "a missing key is a clear error (exit 1)"
set +e
"$BIN" cat "$PREFIX/no-such-key"
code=$?
set -e
echo "exit code: $code"
[ "$code" -eq 1 ] || fail "cat of a missing key exited $code, want 1"

step "clean up"
run rm --prefix "$PREFIX/" --force
left=$("$BIN" ls "$PREFIX/")
[ -z "$left" ] || fail "objects left under $PREFIX/: $left"

printf '\ndemo: all checks passed\n'
