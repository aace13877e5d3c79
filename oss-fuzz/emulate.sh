#!/bin/bash
# Runs oss-fuzz/build.sh exactly as oss-fuzz's builder would ($SRC, $OUT, $WORK and
# $CARGO_BUILD_TARGET set; no Docker), then every target in $OUT from its seed corpus for N
# seconds with its .dict and .options. Fails unless each target executed inputs and found
# nothing. Prints one line per target: executions and executions per second.
#
#   bash oss-fuzz/emulate.sh [--seconds N] [--sanitizer address|none] [--dir DIR]
#
# Needs a nightly toolchain (rustup toolchain install nightly) and cargo-fuzz (installed here
# when missing).
set -euo pipefail

SECONDS_PER_TARGET=30
SANITIZER=address
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${TMPDIR:-/tmp}/catchall-oss-fuzz
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) SECONDS_PER_TARGET=$2; shift 2 ;;
        --sanitizer) SANITIZER=$2; shift 2 ;;
        --dir) DIR=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "emulate.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$SANITIZER" in address|none) ;; *) echo "emulate.sh: --sanitizer address or none" >&2; exit 2 ;; esac

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "emulate.sh: cargo fuzz needs a nightly toolchain: rustup toolchain install nightly" >&2
    exit 2
fi
export RUSTUP_TOOLCHAIN=nightly
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "emulate.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz
fi

# The builder's layout: the checkout at $SRC/catchall, empty $OUT and $WORK.
export SRC=$DIR/src OUT=$DIR/out WORK=$DIR/work
export CARGO_BUILD_TARGET=x86_64-unknown-linux-gnu
rm -rf "$OUT" "$WORK"
mkdir -p "$SRC" "$OUT" "$WORK"
ln -sfn "$ROOT" "$SRC/catchall"
if [ "$SANITIZER" = none ]; then export CATCHALL_SANITIZER=none; fi
bash "$SRC/catchall/oss-fuzz/build.sh"

# The [section] key = value lines of an .options file as `-key=value` flags (libfuzzer) or
# `key=value:key=value` (asan).
options() {
    awk -v want="[$2]" '
        /^\[/ { section = $0; next }
        /^[ \t]*(#|$)/ { next }
        section == want { gsub(/[ \t]/, ""); print }
    ' "$1"
}

status=0
printf '%-14s %12s %10s  %s\n' target executions 'exec/s' result
for bin in "$OUT"/*; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    case "$bin" in *.zip|*.dict|*.options) continue ;; esac
    target=$(basename "$bin")
    corpus=$WORK/corpus/$target
    mkdir -p "$corpus"
    if [ -f "$OUT/${target}_seed_corpus.zip" ]; then
        unzip -q -o "$OUT/${target}_seed_corpus.zip" -d "$corpus"
    fi
    flags=()
    asan=
    if [ -f "$OUT/$target.options" ]; then
        while read -r kv; do flags+=("-$kv"); done < <(options "$OUT/$target.options" libfuzzer)
        asan=$(options "$OUT/$target.options" asan | paste -sd: -)
    fi
    [ -f "$OUT/$target.dict" ] && flags+=("-dict=$OUT/$target.dict")
    log=$WORK/$target.log
    started=$(date +%s.%N)
    set +e
    ASAN_OPTIONS=$asan "$bin" "${flags[@]}" -max_total_time="$SECONDS_PER_TARGET" \
        -print_final_stats=1 -artifact_prefix="$WORK/$target-" "$corpus" >"$log" 2>&1
    rc=$?
    set -e
    elapsed=$(echo "$(date +%s.%N) $started" | awk '{ print $1 - $2 }')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    # libFuzzer's own average is an integer; this one has a decimal (seed runs included).
    rate=$(awk -v n="${execs:-0}" -v t="$elapsed" 'BEGIN { printf "%.1f", n / t }')
    result=ok
    if [ "$rc" -ne 0 ]; then
        result="FOUND SOMETHING (exit $rc, see $log)"
        status=1
    elif [ -z "$execs" ] || [ "$execs" -eq 0 ]; then
        result="NO INPUTS EXECUTED (see $log)"
        status=1
    fi
    printf '%-14s %12s %10s  %s\n' "$target" "${execs:-0}" "${rate:-0}" "$result"
done
exit $status
