#!/usr/bin/env bash
# gan-eval swd on the input pairs users actually compare, at 1024 and 4096 images of 128x128:
#   far        Fashion-MNIST items against other items plus noise (very different sets)
#   photos     two disjoint halves of one collection of natural-photo tiles (two draws of one
#              distribution: the worst case of the 1-D step, whose CDFs cross everywhere)
#   generator  a Fashion-MNIST DCGAN's samples against its training images (trained here for
#              1500 steps), both upscaled x4 to 128x128 RGB
# each as .npy, and the photos also as PNG folders. Prints seconds, peak RSS and the SWD average,
# then the projection GEMMs' floor and the PNG decoding speed on the photo tiles.
# The photo pair is not the slowest: its crossing buckets are many but small and distinct.
# Usage: bench/bench-swd-pairs.sh [WORK_DIR]
#   REPEATS=R     runs per row (default 1); seconds are then the range over the R runs
#   BASELINE=BIN  another build's gan-eval, run in alternation with ours on every row (the same
#                 machine state for both: run-to-run variation on a shared VM exceeds the changes
#                 being measured); its seconds and whether its SWD values are identical are added
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
bin=build/bin
[ -x "$bin/gan-eval" ] && [ -x "$bin/bench_swd_floor" ] && [ -x "$bin/bench_png_decode" ] || scripts/build.sh >/dev/null
py=/usr/bin/python3

[ -f "$work/fake4096.npy" ] || $py bench/make_swd_pairs.py "$work" far
[ -f "$work/photos_b4096.npy" ] || $py bench/make_swd_pairs.py "$work" photos 4096
if [ ! -f "$work/gen4096.npy" ]; then
  [ -f "$work/fm.h5" ] || $bin/gan-data import /usr/share/datasets/fashion-mnist "$work/fm.h5" -q >/dev/null
  [ -d "$work/dcgan" ] || $bin/gan-train --data "$work/fm.h5" --out "$work/dcgan" --loss gan --ngf 32 --ndf 32 \
    --batch 64 --steps 1500 --seed 1 -q >/dev/null
  $bin/gan-train sample "$work/dcgan" --num 4096 --seed 7 --out "$work/gen32.npy" -q >/dev/null
  $py -c "import h5py, numpy as np, sys; np.save(sys.argv[2], h5py.File(sys.argv[1], 'r')['data32x32'][:4096])" \
    "$work/fm.h5" "$work/fm32.npy"
  $py - "$work" <<'PY'
import sys
import numpy as np
work = sys.argv[1]
def up(a):  # (N, 32, 32[, 1]) or NCHW -> (N, 128, 128, 3), nearest x4
    a = np.asarray(a)
    if a.ndim == 4 and a.shape[1] in (1, 3) and a.shape[-1] not in (1, 3):
        a = a.transpose(0, 2, 3, 1)
    if a.ndim == 3:
        a = a[..., None]
    a = a.repeat(4, 1).repeat(4, 2)
    return np.ascontiguousarray(np.broadcast_to(a, a.shape[:3] + (3,)) if a.shape[3] == 1 else a)
np.save(f"{work}/gen4096.npy", up(np.load(f"{work}/gen32.npy")))
np.save(f"{work}/fmreal4096.npy", up(np.load(f"{work}/fm32.npy")))
PY
fi
for base in real fake photos_a photos_b gen fmreal; do
  [ -f "$work/${base}1024.npy" ] || $py -c "import numpy as np, sys; np.save(sys.argv[2], np.load(sys.argv[1])[:1024])" \
    "$work/${base}4096.npy" "$work/${base}1024.npy"
done
for n in 1024 4096; do
  for set in photos_a photos_b; do
    [ -d "$work/${set}_png$n" ] || $py - "$work/${set}$n.npy" "$work/${set}_png$n" <<'PY'
import os, sys
import numpy as np
from PIL import Image
os.makedirs(sys.argv[2])
for i, im in enumerate(np.load(sys.argv[1])):
    Image.fromarray(im).save(f"{sys.argv[2]}/{i:05d}.png")
PY
  done
done

repeats=${REPEATS:-1}
baseline=${BASELINE:-}
if [ -n "$baseline" ]; then
  echo "| pair | images | input | seconds | peak RSS (MiB) | SWD avg (x1e3) | baseline seconds | baseline RSS (MiB) | same SWD |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---|"
else
  echo "| pair | images | input | seconds | peak RSS (MiB) | SWD avg (x1e3) |"
  echo "|---|---:|---|---:|---:|---:|"
fi
# One run of BIN on a pair: appends "seconds rss_kb" to $work/runs.BIN_TAG, the JSON to $work/out.TAG.json.
run_one() {  # tag bin a b
  /usr/bin/time -f "%e %M" -o "$work/time.log" "$2" swd "$3" "$4" --json -q >"$work/out.$1.json"
  cat "$work/time.log" >>"$work/runs.$1"
}
range() {  # file: "min-max" seconds (or the one value) and the largest RSS in MiB
  sort -n "$1" | awk 'NR==1{lo=$1} {hi=$1; if ($2>m) m=$2} END{s=(NR>1 && lo!=hi)? lo "-" hi : lo; printf "%s %d\n", s, m/1024}'
}
row() {  # label n input a b
  rm -f "$work/runs.new" "$work/runs.base"
  for ((r = 0; r < repeats; ++r)); do
    run_one new "$bin/gan-eval" "$4" "$5"
    [ -z "$baseline" ] || run_one base "$baseline" "$4" "$5"
  done
  read -r s m < <(range "$work/runs.new")
  local avg
  avg=$($py -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['swd']['avg'])" "$work/out.new.json")
  if [ -n "$baseline" ]; then
    read -r bs bm < <(range "$work/runs.base")
    same=$($py -c "import json,sys; a,b=(json.load(open(f))['swd'] for f in sys.argv[1:]); print('yes' if a==b else 'NO')" \
      "$work/out.new.json" "$work/out.base.json")
    echo "| $1 | $2 | $3 | $s | $m | $avg | $bs | $bm | $same |"
  else
    echo "| $1 | $2 | $3 | $s | $m | $avg |"
  fi
}
for n in 1024 4096; do
  row far "$n" .npy "$work/real$n.npy" "$work/fake$n.npy"
  row generator "$n" .npy "$work/fmreal$n.npy" "$work/gen$n.npy"
  row photos "$n" .npy "$work/photos_a$n.npy" "$work/photos_b$n.npy"
  row photos "$n" "PNG folder" "$work/photos_a_png$n" "$work/photos_b_png$n"
done
echo
echo "The projection GEMMs alone (bench_swd_floor: the same SGEMM calls, in cache and streamed from memory):"
for n in 1024 4096; do $bin/bench_swd_floor "$n" 128 | sed 's/^/    /'; done
echo "PNG decoding of the photo tiles (bench_png_decode: decode_image against OpenCV's libpng):"
$bin/bench_png_decode "$work/photos_a_png4096" | sed 's/^/    /'
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
