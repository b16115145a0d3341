#!/usr/bin/env bash
# Streamed training data (gan-train --data-in-memory off): the reader alone, and DCGAN training
# streamed against in memory, on levels several times larger than the data cache.
#   d64.h5   200,000 RGB images of 64x64 (the level: 2.46 GB; 9.6x a 256 MB cache)
#   d256.h5  6,000 RGB images of 256x256 (the level: 1.18 GB; 4.6x a 256 MB cache)
# Both synthetic (bench_stream_reader make: upscaled random fields plus noise), written as
# gan-data import writes (gzip 4, one chunk per image). The reader reads one epoch (64x64) or the
# whole level (256x256) from a cold page cache where this runs as root (drop_caches), else warm.
# Training: DCGAN 64x64 (the paper's network, batch 64), STEPS generator steps, 2 threads, streamed
# through 256 MB against the level held in memory; images/s is gan-train's, load time excluded.
# Usage: bench/bench-stream.sh [WORK_DIR] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/gankit-bench-stream}
steps=${2:-150}
mkdir -p "$work"
bin=build/bin
[ -x "$bin/bench_stream_reader" ] && [ -x "$bin/gan-train" ] || scripts/build.sh >/dev/null
source bench/measure.sh
[ -f "$work/d64.h5" ] || $bin/bench_stream_reader make "$work/d64.h5" 200000 64
[ -f "$work/d256.h5" ] || $bin/bench_stream_reader make "$work/d256.h5" 6000 256

cold() { if [ "$(id -u)" = 0 ]; then sync; echo 3 >/proc/sys/vm/drop_caches; echo cold; else echo warm; fi; }
echo "## Reader alone (page cache: $(cold))"
$bin/bench_stream_reader read "$work/d64.h5" 64 256 200000 64
cold >/dev/null
$bin/bench_stream_reader read "$work/d256.h5" 256 256 6000 16

echo
echo "## DCGAN 64x64 training, $steps steps of 64"
echo "| data | images/s | peak RSS (MiB) |"
echo "|---|---:|---:|"
for mode in "off --data-cache-mb 256" "on"; do
  rm -rf "$work/run"
  r=$(measure "$work/train.json" $bin/gan-train --data "$work/d64.h5" --out "$work/run" --resolution 64 \
    --batch 64 --steps "$steps" --sample-every 0 --checkpoint-every 0 --keep-every 0 --data-in-memory $mode --json -q)
  read -r s m <<<"$r"
  echo "| --data-in-memory $mode | $(python3 -c "import json,sys; print('%.1f' % json.load(open(sys.argv[1]))['images_per_s'])" "$work/train.json") | $m |"
done
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
