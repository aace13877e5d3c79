#!/bin/bash -eu
# Builds catchall's fuzz targets the way oss-fuzz's Rust builder does: `cargo fuzz build -O`
# in fuzz/, then every target into $OUT with its seed corpus, dictionary and options.
#
# Inputs (set by the builder, or by oss-fuzz/emulate.sh): $SRC (the checkout's parent, the
# checkout being $SRC/catchall), $OUT, $WORK, $CARGO_BUILD_TARGET. Optional: $CATCHALL_SANITIZER
# (`none` builds without ASan, for measurements; the builder's own cargo wrapper picks the
# sanitizer otherwise).

PROJECT_DIR=${PROJECT_DIR:-$SRC/catchall}
TRIPLE=${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}
SANITIZER_ARGS=()
if [ -n "${CATCHALL_SANITIZER:-}" ]; then
    SANITIZER_ARGS=(-s "$CATCHALL_SANITIZER")
fi

cd "$PROJECT_DIR/fuzz"
cargo fuzz build -O "${SANITIZER_ARGS[@]}"

BIN_DIR=$PROJECT_DIR/fuzz/target/$TRIPLE/release
SEEDS=$WORK/catchall-seeds
rm -rf "$SEEDS"
python3 "$PROJECT_DIR/oss-fuzz/seeds.py" "$SEEDS"

for src in "$PROJECT_DIR"/fuzz/fuzz_targets/*.rs; do
    target=$(basename "${src%.rs}")
    cp "$BIN_DIR/$target" "$OUT/"
    rm -f "$OUT/${target}_seed_corpus.zip"
    (cd "$SEEDS/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    cp "$PROJECT_DIR/oss-fuzz/catchall.dict" "$OUT/$target.dict"
    cp "$PROJECT_DIR/oss-fuzz/catchall.options" "$OUT/$target.options"
done
