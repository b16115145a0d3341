#!/usr/bin/env bash
# Speed, peak memory and values of gan-eval fid / kid / prdc against the numpy/scipy reference
# ports (bench/reference_feature_metrics.py: pytorch-fid's sqrtm FID, torch-fidelity's KID,
# clovaai's full-matrix PRDC) on the same features, in the same run; and the CPU speed of a
# TorchScript Inception v3 backbone (scripts/export-inception.py --random-weights: the real
# weights' speed is the same network's).
# Features (made here, deterministic): 2048-d, non-negative and low-rank like Inception's pool3
# (ReLU of a random 64 -> 2048 map of Gaussian codes); "fake" = the same map with a shifted code
# mean: close distributions, where PRDC's thresholds are hardest.
# Usage: bench/bench-feature-metrics.sh [--quick] [WORK_DIR]   (--quick: no 10k reference PRDC,
# no 50k run)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
work=${1:-$(mktemp -d)}
mkdir -p "$work"
bin=build/bin/gan-eval
[ -x "$bin" ] || scripts/build.sh >/dev/null
py=/usr/bin/python3
sizes="2000 5000 10000"
[ $quick = 1 ] || sizes="$sizes 50000"

for n in $sizes; do
  [ -f "$work/real$n.h5" ] && continue
  $py - "$work" "$n" <<'PY'
import sys
import h5py
import numpy as np
work, n = sys.argv[1], int(sys.argv[2])
w = np.random.RandomState(0).normal(0, 1 / 8, (64, 2048)).astype(np.float32)
def features(seed, shift):
    z = np.random.RandomState(seed).normal(shift, 1, (n, 64)).astype(np.float32)
    return np.maximum(z @ w - 0.5, 0).astype(np.float32)
for name, seed, shift in (("real", 1, 0.0), ("fake", 2, 0.05)):
    f = features(seed, shift)
    np.save(f"{work}/{name}{n}.npy", f)
    with h5py.File(f"{work}/{name}{n}.h5", "w") as h:  # a gan-eval stats file (docs/formats.md)
        g = h.create_group("images")
        g.create_dataset("features", data=f)
        g.attrs["source"] = f"{name}{n}.npy"
        for k, v in dict(kind="backbone-features", backbone="synthetic", backbone_hash="synthetic",
                         backbone_input_size="0", resize="clean", input=f"{name}{n}.npy",
                         input_fingerprint=f"synthetic {name} {n}", num_images=str(n), tool_version="bench").items():
            h.attrs[k] = v
PY
done

. bench/measure.sh
field() { $py -c "import json,sys; j=json.load(open(sys.argv[1])); print(' / '.join('%.6g' % j[k] for k in sys.argv[2:]))" "$@"; }
maxrel() {
  $py -c "
import json,sys
a,b=json.load(open(sys.argv[1])),json.load(open(sys.argv[2]))
print('%.1e' % max(abs(a[k]-b[k])/max(abs(b[k]),1e-300) for k in sys.argv[3:]))" "$@"
}

echo "| metric | features | tool | seconds | peak RSS (MiB) | value | speed-up | max rel. diff |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
row() {  # metric n keys ref_args ours_extra
  local metric=$1 n=$2 keys=$3 ref=$4 extra=${5:-}
  read -r s1 m1 <<<"$(measure "$work/ours.json" $bin $metric "$work/real$n.h5" "$work/fake$n.h5" $extra --json -q)"
  if [ "$ref" = yes ]; then
    local refname=$metric
    read -r s2 m2 <<<"$(measure "$work/ref.json" $py bench/reference_feature_metrics.py $refname "$work/real$n.npy" "$work/fake$n.npy")"
    echo "| $metric | $n x 2048 | gan-eval | $s1 | $m1 | $(field "$work/ours.json" $keys) | $(awk -v a="$s2" -v b="$s1" 'BEGIN{printf "%.0fx", a/b}') | $(maxrel "$work/ours.json" "$work/ref.json" $keys) |"
    echo "| $metric | $n x 2048 | numpy reference | $s2 | $m2 | $(field "$work/ref.json" $keys) | 1x | |"
  else
    echo "| $metric | $n x 2048 | gan-eval | $s1 | $m1 | $(field "$work/ours.json" $keys) | | |"
  fi
}
row fid 10000 fid yes
row kid 10000 "kid kid_std" yes
for n in 2000 5000; do row prdc $n "precision recall density coverage" yes; done
if [ $quick = 1 ]; then row prdc 10000 "precision recall density coverage" no
else
  row prdc 10000 "precision recall density coverage" yes
  row prdc 50000 "precision recall density coverage" no
fi

# Backbone speed: 256 CIFAR-sized images through a random-weight FID Inception, clean resize to 299.
if $py -c 'import torch, torchvision' 2>/dev/null; then
  [ -f "$work/inception.pt" ] || $py scripts/export-inception.py --random-weights --out "$work/inception.pt" 2>/dev/null
  $py -c "import numpy as np; np.save('$work/images.npy', np.random.RandomState(0).randint(0, 256, (256, 32, 32, 3)).astype(np.uint8))"
  read -r s m <<<"$(measure "$work/stats.json" $bin stats "$work/images.npy" --backbone "$work/inception.pt" --out "$work/img.h5" --overwrite --json -q)"
  echo
  echo "Inception v3 (FID variant) on CPU: 256 images 32x32 -> 299x299 (clean), $s s including loading: $(awk -v s="$s" 'BEGIN{printf "%.1f", 256/s}') images/s, peak RSS $m MiB."
fi
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
