#!/usr/bin/env bash
# The comparison the GAN-variant write-ups make, on Fashion-MNIST 32x32 on the CPU: DCGAN (gan),
# WGAN (weight clipping), WGAN-GP, LSGAN and a SELU DCGAN, each trained on the same number of real
# images (--epochs, default 4 = 240k images), batch 64, --ngf/--ndf 32, one thread each, two runs at
# a time, keeping a checkpoint every 10% of the budget; then
#   gan-eval compare train.h5 RUNS... --repeats 3 --num-images 4096
# ranks them with 95% intervals and writes WORK/report/index.html (and a screenshot
# WORK/report.png when Debian's chromium is installed).
#
# Usage: scripts/compare-fashion-mnist.sh [WORK_DIR] [--epochs E] [--width W] [--repeats K] [--jobs J]
# A second call continues: finished runs are not retrained and measured checkpoints not re-measured.
set -euo pipefail
cd "$(dirname "$0")/.."
work=fm-compare epochs=4 width=32 repeats=3 jobs=2
[[ $# -gt 0 && $1 != --* ]] && { work=$1; shift; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --epochs) epochs=$2; shift 2 ;;
    --width) width=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
bin=$(pwd)/build/bin
data=/usr/share/datasets/fashion-mnist
[[ -x $bin/gan-train ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
[[ -d $data ]] || { echo "missing $data (Debian package dataset-fashion-mnist; scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$work"
[[ -f $work/train.h5 ]] || $bin/gan-data import "$data" "$work/train.h5" --split train --quiet

# name | flags; critic steps per generator step decide how many steps make 10% of the budget.
variants=(
  "dcgan|--loss gan|1"
  "wgan|--loss wgan|5"
  "wgan-gp|--loss wgan-gp|5"
  "lsgan|--loss lsgan|1"
  "dcgan-selu|--loss gan --arch dcgan-selu|1"
)
train_one() {
  local name=$1 flags=$2 critic=$3
  local run=$work/$name keep
  keep=$(( epochs * 60000 / 10 / 64 / critic ))
  if [[ -f $run/checkpoints/latest.pt ]]; then
    $bin/gan-train --out "$run" --resume --epochs "$epochs" --threads 1 --quiet >/dev/null
  else
    # shellcheck disable=SC2086
    $bin/gan-train --data "$work/train.h5" --out "$run" $flags --batch 64 --ngf "$width" --ndf "$width" \
      --epochs "$epochs" --keep-every "$keep" --checkpoint-every "$keep" --sample-every "$keep" --log-every 50 \
      --threads 1 --quiet >/dev/null
  fi
  echo "trained $name" >&2
}
start=$(date +%s)
running=0
for v in "${variants[@]}"; do
  IFS='|' read -r name flags critic <<<"$v"
  train_one "$name" "$flags" "$critic" &
  running=$((running + 1))
  if (( running >= jobs )); then wait -n; running=$((running - 1)); fi
done
wait
trained=$(date +%s)
runs=()
for v in "${variants[@]}"; do runs+=("$work/${v%%|*}"); done
$bin/gan-eval compare "$work/train.h5" "${runs[@]}" --out "$work/report" --overwrite --repeats "$repeats" \
  --num-images 4096 --cache-dir "$work/cache" | tee "$work/leaderboard.txt"
done_at=$(date +%s)
echo "training $((trained - start)) s, compare $((done_at - trained)) s" | tee -a "$work/leaderboard.txt"
if command -v chromium >/dev/null; then
  abs=$(cd "$work" && pwd)
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1150,1350 \
    --screenshot="$abs/report.png" "file://$abs/report/index.html" >/dev/null 2>&1 || true
fi
