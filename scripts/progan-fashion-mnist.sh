#!/usr/bin/env bash
# Progressive GAN on Fashion-MNIST (32x32): grows 4 -> 8 -> 16 -> 32 with gan-train --arch progan
# and measures every phase it kept with gan-eval swd against the test set at that phase's
# resolution (SWD needs 16 px or more, so the 16x16 and 32x32 phases), next to the real-data
# floor (train vs test). Writes WORK/table.md.
#
#   scripts/progan-fashion-mnist.sh [WORK] [--fade-kimg F] [--stable-kimg S] [--final-kimg E]
#                                   [--fmap-base B] [--fmap-max M] [--batch N] [--threads T] [--device D]
#                                   [--num-images N]
# WORK/train.h5 and WORK/test.h5 are imported unless they exist (GANKIT_BIN: the binaries'
# folder, default build/bin; GANKIT_FASHION_MNIST: the IDX files' folder).
# Defaults (10 kimg per fade and per stabilisation, fmap 512/128, minibatch 16) take about 20 min
# on 2 CPU cores; the paper's 600/600 kimg and 8192/512 maps want a GPU (--device cuda).
set -euo pipefail
cd "$(dirname "$0")/.."
work=fm-progan
fade=10 stable=10 final=10 fmap_base=512 fmap_max=128 batch=16 threads=0 device=cpu n=4096
[[ $# -gt 0 && $1 != --* ]] && { work=$1; shift; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --fade-kimg) fade=$2; shift 2 ;;
    --stable-kimg) stable=$2; shift 2 ;;
    --final-kimg) final=$2; shift 2 ;;
    --fmap-base) fmap_base=$2; shift 2 ;;
    --fmap-max) fmap_max=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --num-images) n=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
bin=${GANKIT_BIN:-build/bin}
data=${GANKIT_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
[[ -x $bin/gan-train ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
[[ -f $work/train.h5 && -f $work/test.h5 ]] || [[ -d $data ]] || { echo "missing $data (Debian package dataset-fashion-mnist; scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$work"
[[ -f $work/train.h5 ]] || $bin/gan-data import "$data" "$work/train.h5" --split train --quiet
[[ -f $work/test.h5 ]] || $bin/gan-data import "$data" "$work/test.h5" --split test --quiet
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# Level 0 stabilises, then three levels fade in and stabilise, then the last trains on.
kimg=$(python3 -c "print($stable + 3 * ($fade + $stable) + $final)")
run=$work/run
if [[ -f $run/checkpoints/latest.pt ]]; then
  resume=(--resume)
else
  resume=(--data "$work/train.h5" --arch progan --resolution 32 --fmap-base "$fmap_base" --fmap-max "$fmap_max"
          --batch "$batch" --fade-kimg "$fade" --stable-kimg "$stable" --overwrite)
fi
$bin/gan-train --out "$run" "${resume[@]}" --kimg "$kimg" --threads "$threads" --device "$device" \
  --log-every 100 --sample-every 500 --checkpoint-every 500 --keep-every 0 --json > "$work/train.json"
seconds=$(field '"%.0f" % d["seconds"]' < "$work/train.json")

swd() { $bin/gan-eval swd "$work/test.h5" "$1" --resolution "$2" --num-images $n --json --quiet; }
row() {  # name kimg resolution swd-json
  local levels=$(echo "$4" | field '" | ".join("%.2f" % d["swd"][k] for k in sorted(d["swd"], key=lambda k: -int(k) if k != "avg" else 0) if k != "avg")')
  [[ $3 == 16 ]] && levels="- | $levels"
  echo "| $1 | $2 | $3x$3 | $levels | $(echo "$4" | field '"%.2f" % d["swd"]["avg"]') |"
}
table="| checkpoint | kimg | resolution | SWD 32 | SWD 16 | SWD avg |
|---|---:|---:|---:|---:|---:|"
for r in 16 32; do
  table+="
$(row "real (train vs test)" - $r "$($bin/gan-eval swd "$work/test.h5" "$work/train.h5" --resolution $r --num-images $n --json --quiet)")"
done
for ckpt in "$run"/checkpoints/phase*_16x16_*.pt "$run"/checkpoints/phase*_32x32_*.pt "$run/checkpoints/latest.pt"; do
  [[ -f $ckpt ]] || continue
  name=$(basename "$ckpt" .pt)
  r=16
  [[ $name == *32x32* || $name == latest ]] && r=32
  # A phase checkpoint is taken as the next phase begins: sample the level the phase trained.
  info=$($bin/gan-train sample "$ckpt" --resolution $r --num $n --out "$work/eval.npy" --device "$device" \
         --overwrite --json --quiet)
  table+="
$(row "$name (step $(echo "$info" | field 'd["step"]'))" "$(echo "$info" | field '"%.1f" % d["kimg"]')" $r "$(swd "$work/eval.npy" $r)")"
done
rm -f "$work/eval.npy"
table+="

Training: $kimg kimg in $seconds s on $device (fade $fade + stable $stable kimg per level, fmap $fmap_base/$fmap_max, minibatch $batch)."
echo "$table" | tee "$work/table.md"
