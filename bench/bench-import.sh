#!/usr/bin/env bash
# Import throughput and peak memory: gan-data import vs the numpy/h5py reference
# (bench/reference_import.py, ProGAN h5tool's method) on the same inputs, in the same run.
#   1. Fashion-MNIST train (60000 IDX images, 28x28 padded to 32x32, gzip 4)
#   2. a folder of 10000 RGB 64x64 PNG files (made here, deterministic)
# Prints a Markdown table. Usage: bench/bench-import.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/gan-data
[ -x "$bin" ] || scripts/build.sh >/dev/null
work=${1:-$(mktemp -d)}
mkdir -p "$work"
fm=/usr/share/datasets/fashion-mnist
py=/usr/bin/python3  # Debian's python, where python3-numpy/h5py/pil live

if [ ! -f "$work/png64/09999.png" ]; then
  $py - "$work/png64" <<'PY'
import os, sys
import numpy as np, PIL.Image
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
rng = np.random.RandomState(0)
y, x = np.mgrid[0:64, 0:64]
for i in range(10000):
    a, b, c = rng.uniform(0.05, 0.3, 3)
    img = np.stack([128 + 100 * np.sin(a * x + b * y + k + i) for k in range(3)], -1)
    img += rng.normal(0, 8, img.shape)
    PIL.Image.fromarray(np.uint8(np.clip(img, 0, 255))).save(os.path.join(out, "%05d.png" % i))
PY
fi

# run NAME COMMAND...: prints "seconds peak_rss_mib"
measure() {
  local log="$work/time.log"
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>"$work/stderr.log" || { cat "$work/stderr.log" >&2; exit 1; }
  awk '{printf "%s %.0f", $1, $2/1024}' "$log"
}
row() {  # case images tool seconds rss
  awk -v c="$1" -v n="$2" -v t="$3" -v s="$4" -v m="$5" 'BEGIN{printf "| %s | %s | %.2f | %.0f | %d |\n", c, t, s, n/s, m}'
}

echo "| input | tool | seconds | images/s | peak RSS (MiB) |"
echo "|---|---|---:|---:|---:|"
read -r s m <<<"$(measure $bin import $fm "$work/ours_fm.h5" --split train --overwrite -q)"
row "Fashion-MNIST train, 60000 x 32x32 gray, gzip 4" 60000 "gan-data import" "$s" "$m"
rm -f "$work/ref_fm.h5"
read -r s m <<<"$(measure $py bench/reference_import.py idx $fm/train-images-idx3-ubyte.gz "$work/ref_fm.h5")"
row "Fashion-MNIST train, 60000 x 32x32 gray, gzip 4" 60000 "numpy/h5py reference" "$s" "$m"
read -r s m <<<"$(measure $bin import $fm "$work/ours_fm_raw.h5" --split train --overwrite -q --compression none)"
row "Fashion-MNIST train, 60000 x 32x32 gray, no compression" 60000 "gan-data import" "$s" "$m"
read -r s m <<<"$(measure $bin import "$work/png64" "$work/ours_png.h5" --overwrite -q)"
row "PNG folder, 10000 x 64x64 RGB, gzip 4" 10000 "gan-data import" "$s" "$m"
rm -f "$work/ref_png.h5"
read -r s m <<<"$(measure $py bench/reference_import.py folder "$work/png64" "$work/ref_png.h5")"
row "PNG folder, 10000 x 64x64 RGB, gzip 4" 10000 "numpy/h5py/PIL reference" "$s" "$m"

# Same bytes at every level, or the comparison means nothing.
$py - "$work" <<'PY'
import sys, h5py, numpy as np
w = sys.argv[1]
for a, b in [("ours_fm.h5", "ref_fm.h5"), ("ours_png.h5", "ref_png.h5")]:
    fa, fb = h5py.File(f"{w}/{a}", "r"), h5py.File(f"{w}/{b}", "r")
    for k in fb:
        assert np.array_equal(fa[k][:], fb[k][:]), (a, k)
import os
print(f"\nOutputs identical at every level: yes. Machine: {os.cpu_count()} cores.")
PY
