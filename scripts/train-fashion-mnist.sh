#!/usr/bin/env bash
# Quality evidence for gan-train: trains DCGAN (gan) and WGAN-GP on Fashion-MNIST at 32x32 on the
# CPU, then measures every kept checkpoint (step 0 = the untrained generator) with gan-eval:
# SWD (x1e3) of 4096 samples against 4096 real test images, and MS-SSIM diversity of the samples.
# The real-vs-real rows (training vs test images) give the floor both numbers should approach.
#
# Usage: scripts/train-fashion-mnist.sh [WORK_DIR] [--steps-gan N] [--steps-wgangp N] [--keep-every K]
#                                       [--width W] [--threads T]
# Prints a Markdown table and writes it to WORK_DIR/quality.md. Runs after scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
work=fm-quality
steps_gan=3000 steps_gp=1500 keep=500 width=32 threads=0
[[ $# -gt 0 && $1 != --* ]] && { work=$1; shift; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --steps-gan) steps_gan=$2; shift 2 ;;
    --steps-wgangp) steps_gp=$2; shift 2 ;;
    --keep-every) keep=$2; shift 2 ;;
    --width) width=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
bin=build/bin
data=/usr/share/datasets/fashion-mnist
[[ -x $bin/gan-train ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
[[ -d $data ]] || { echo "missing $data (Debian package dataset-fashion-mnist; scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$work"
[[ -f $work/train.h5 ]] || $bin/gan-data import "$data" "$work/train.h5" --split train --quiet
[[ -f $work/test.h5 ]] || $bin/gan-data import "$data" "$work/test.h5" --split test --quiet
n=4096

swd() { $bin/gan-eval swd "$work/test.h5" "$1" --num-images $n --json --quiet; }
field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

table="| run | step | epochs | SWD 32 | SWD 16 | SWD avg | MS-SSIM | train time |
|---|---:|---:|---:|---:|---:|---:|---:|"
real=$(swd "$work/train.h5")
ms=$($bin/gan-eval msssim "$work/test.h5" --num-pairs $((n / 2)) --json --quiet | field 'd["msssim"]')
table+="
| real (train vs test) | - | - | $(echo "$real" | field '"%.2f" % d["swd"]["32"]') | $(echo "$real" | field '"%.2f" % d["swd"]["16"]') | $(echo "$real" | field '"%.2f" % d["swd"]["avg"]') | $(printf %.4f "$ms") | - |"

for loss in gan wgan-gp; do
  steps=$steps_gan
  [[ $loss == wgan-gp ]] && steps=$steps_gp
  run=$work/$loss
  if [[ -f $run/checkpoints/latest.pt ]]; then
    $bin/gan-train --out "$run" --resume --steps "$steps" --threads "$threads" --quiet >/dev/null
  else
    $bin/gan-train --data "$work/train.h5" --out "$run" --loss $loss --steps "$steps" --ngf "$width" --ndf "$width" \
      --keep-every "$keep" --sample-every "$keep" --checkpoint-every "$keep" --threads "$threads" --quiet >/dev/null
  fi
  for ckpt in "$run"/checkpoints/step_*.pt; do
    step=$((10#$(basename "$ckpt" .pt | cut -d_ -f2)))
    $bin/gan-train sample "$ckpt" --num $n --out "$run/eval.npy" --overwrite --threads "$threads" --quiet >/dev/null
    s=$(swd "$run/eval.npy")
    ms=$($bin/gan-eval msssim "$run/eval.npy" --json --quiet | field 'd["msssim"]')
    info=$(grep -E "\"step\":$step[,}]" "$run/log.jsonl" | tail -1 || true)
    epochs=$( [[ -n $info ]] && echo "$info" | field '"%.2f" % d["epoch"]' || echo 0)
    secs=$( [[ -n $info ]] && echo "$info" | field '"%.0f s" % d["seconds"]' || echo "0 s")
    table+="
| $loss | $step | $epochs | $(echo "$s" | field '"%.2f" % d["swd"]["32"]') | $(echo "$s" | field '"%.2f" % d["swd"]["16"]') | $(echo "$s" | field '"%.2f" % d["swd"]["avg"]') | $(printf %.4f "$ms") | $secs |"
  done
  rm -f "$run/eval.npy"
done
echo "$table" | tee "$work/quality.md"
