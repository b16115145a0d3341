#!/usr/bin/env bash
# Data-parallel scaling on this machine: DCGAN 32x32 on Fashion-MNIST (batch 64, --ngf/--ndf 64),
# STEPS generator steps, as 1 process with all cores and as N ranks of one thread each
# (gan-train --nproc N, c10d Gloo over 127.0.0.1). Prints real images/s (gan-train's, the data
# load excluded) and the peak RSS of the launcher's largest process.
# Usage: bench/bench-data-parallel.sh [WORK_DIR] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/gankit-bench-dp}
steps=${2:-60}
mkdir -p "$work"
bin=build/bin
[ -x "$bin/gan-train" ] || scripts/build.sh >/dev/null
source bench/measure.sh
[ -f "$work/fm.h5" ] || $bin/gan-data import /usr/share/datasets/fashion-mnist "$work/fm.h5" --split train -q >/dev/null
cores=$(nproc)
echo "| processes | threads each | images/s | seconds | peak RSS (MiB) |"
echo "|---:|---:|---:|---:|---:|"
for setup in "1 $cores" "$cores 1"; do
  read -r procs threads <<<"$setup"
  rm -rf "$work/run"
  r=$(measure "$work/out.json" $bin/gan-train --data "$work/fm.h5" --out "$work/run" --batch 64 --steps "$steps" \
    --threads "$threads" --nproc "$procs" --sample-every 0 --checkpoint-every 0 --keep-every 0 --json -q)
  read -r s m <<<"$r"
  echo "| $procs | $threads | $(python3 -c "import json,sys; print('%.1f' % json.load(open(sys.argv[1]))['images_per_s'])" "$work/out.json") | $s | $m |"
done
echo
echo "Machine: $cores cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
