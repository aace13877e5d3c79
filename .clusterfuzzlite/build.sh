#!/bin/bash -eu
# ClusterFuzzLite runs the oss-fuzz build unchanged.
exec "$SRC/catchall/oss-fuzz/build.sh"
