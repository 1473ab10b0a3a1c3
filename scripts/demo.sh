#!/usr/bin/env bash
# scripts/demo.sh BIN — the main job of objstore, end to end, with the
# objstore command BIN on the embedded default store (file://./objstore-data,
# the fs backend): put a file, write a stream while a follower reads it,
# list, stat, read everything back and verify it. The follower starts
# before the stream exists and stamps each line with its arrival time. Exits non-zero on any
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

step "follow a stream live: the follower starts first, then the writer sends one line at a time"
NAME="$PREFIX/streams/eth0"
now() { date +%T.%3N; }
mkfifo "$WORK/producer" "$WORK/followed"
# The follower starts before the stream exists (--wait, like tail -F);
# every line it prints is stamped with the time it arrived.
printf '$ objstore stream get --follow --wait %s | stamp-arrival &\n' "$NAME"
"$BIN" stream get --follow --wait "$NAME" >"$WORK/followed" &
FOLLOWER=$!
PIDS+=("$FOLLOWER")
(while IFS= read -r line; do printf '%s %s\n' "$(now)" "$line"; done) <"$WORK/followed" >"$WORK/received.txt" &
STAMPER=$!
PIDS+=("$STAMPER")
# The writer turns each line of its input into one chunk. Its input is a
# pipe that this script writes one line at a time, and each line is sent
# only after the follower has received the previous one: the follower
# provably reads every chunk while the writer is still open.
printf '$ producer | objstore stream put --lines %s &\n' "$NAME"
"$BIN" stream put --lines "$NAME" <"$WORK/producer" >"$WORK/writer.out" &
WRITER=$!
PIDS+=("$WRITER")
exec 3>"$WORK/producer"
: >"$WORK/expected-stream.txt"
for i in 1 2 3 4 5 6; do
	line="packet $i (sent $(now))"
	echo "$line" >>"$WORK/expected-stream.txt"
	echo "$line" >&3
	for _ in $(seq 1 400); do
		[ "$(wc -l <"$WORK/received.txt")" -ge "$i" ] && break
		sleep 0.05
	done
	[ "$(wc -l <"$WORK/received.txt")" -ge "$i" ] || fail "the follower did not receive line $i within 20s"
	got=$(sed -n "${i}p" "$WORK/received.txt")
	printf '    received %s: %s\n' "${got%% *}" "${got#* }"
	if [ "$i" -eq 3 ]; then
		echo "while the writer is still open (3 lines sent, its input not ended):"
		run stat "$NAME"
		"$BIN" --json stat "$NAME" | grep -q '"in_progress":true' || fail "the stream is not in progress while its writer is open"
	fi
done
exec 3>&- # end of input: the writer closes the stream
wait "$WRITER" || fail "stream put failed"
cat "$WORK/writer.out"
wait "$FOLLOWER" || fail "stream get --follow failed"
wait "$STAMPER" || true
echo "the follower ended when the writer closed the stream"
cut -d' ' -f2- "$WORK/received.txt" >"$WORK/followed.txt"
cmp "$WORK/expected-stream.txt" "$WORK/followed.txt" || fail "the follower read something else than was written"
echo "OK: the follower received every line, in order, exactly once, each before the next was sent"

step "list"
run ls --long "$PREFIX/"

step "stat the object and the stream"
run stat "$PREFIX/captures/capture.pcap"
run stat "$NAME"

step "read everything back and verify"
run get "$PREFIX/captures/capture.pcap" "$WORK/capture.back.pcap"
want=$(sha256 "$WORK/capture.pcap")
got=$(sha256 "$WORK/capture.back.pcap")
echo "sha256 put: $want"
echo "sha256 got: $got"
[ "$want" = "$got" ] || fail "the object read back differs (sha256)"
cmp "$WORK/capture.pcap" "$WORK/capture.back.pcap" || fail "the object read back differs (cmp)"
"$BIN" stream get "$NAME" >"$WORK/stream.back.txt"
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
