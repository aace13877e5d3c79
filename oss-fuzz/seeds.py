#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into DIR/<target>/ (nothing binary is committed).

Every input of a catchall target is the head of a deterministic byte stream
(catchall::fuzzing::expand), so a few bytes already make a full case. The seeds are:

- generated cases: 4-byte little-endian counters 0..N (each a different full case); for
  `differential` the profile byte 0..4 followed by the counter, so every profile is seeded;
- the corpus: for `wast`, the input `[1] + u32 LE i` picks source file i (the official suite,
  then spec-tests/local/ and corpus/regressions/ of the checkout), one seed per 8th file.
"""
import os
import struct
import sys

CASES = 64
PROFILES = 5  # mixed, exceptions, memory64, smith, idioms (catchall::generate::Profile::ALL)
# Source files of the wast target seeded: every 8th of the first 400 (its index is taken
# modulo their count). A seed runs one to three modules of its file on every engine, up to
# seconds each under ASan, and libFuzzer runs every seed before it mutates any.
WAST_FILES = 400
WAST_STEP = 8


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seeds.py DIR")
    out = sys.argv[1]
    for target in ("exceptions", "memory64", "idioms", "reference"):
        for i in range(CASES):
            write(os.path.join(out, target), f"case-{i:04}", struct.pack("<I", i))
    for p in range(PROFILES):
        for i in range(CASES // PROFILES + 1):
            write(os.path.join(out, "differential"), f"profile-{p}-case-{i:04}",
                  bytes([p]) + struct.pack("<I", i))
    for i in range(0, WAST_FILES, WAST_STEP):
        write(os.path.join(out, "wast"), f"file-{i:04}", bytes([1]) + struct.pack("<I", i))


if __name__ == "__main__":
    main()
