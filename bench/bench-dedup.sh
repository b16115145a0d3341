#!/usr/bin/env bash
# gan-data dedup: quality on planted near-duplicates and hashing throughput at 100k+ images.
#   1. bench/make_dedup_benchmark.py: 70,000 Fashion-MNIST images + photo tiles (scikit-image),
#      10 % of them with a JPEG, resized, cropped, shifted and brightened copy (~106k files).
#   2. gan-data dedup train on a 100k sample; gan-data dedup hash with --radius 0, 1, 2, --probe 8, 12, --probe 12
#      --probe-distance 0.5, --probe 24 with --probe-distance 0.5, 0.6, 0.7, the same verified (--verify-angle 8)
#      at 0.7 and 0.8, and the exact-duplicate baseline (--method exact); bench/score_dedup.py scores each.
#   3. Throughput on the same folder, same run: gan-data dedup hash (exact and autoencoder) vs
#      bench/reference_dedup.py (PIL + numpy, the same pipeline).
# Prints Markdown tables (also saved to WORK/dedup-bench.md).
# Usage: bench/bench-dedup.sh [WORK_DIR] [--epochs N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d); epochs=10; threads=0
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then work=$1; shift; fi
while [ $# -gt 0 ]; do
  case $1 in
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "bench-dedup: unknown option $1" >&2; exit 1 ;;
  esac
done
bin=build/bin/gan-data
[ -x "$bin" ] || scripts/build.sh >/dev/null
py=/usr/bin/python3
mkdir -p "$work"
[ -f "$work/truth.csv" ] || $py bench/make_dedup_benchmark.py "$work" >&2
images=$work/images
n=$(ls "$images" | wc -l)
field() { $py -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

[ -f "$work/ae.pt" ] || $bin dedup train "$images" "$work/ae.pt" --epochs "$epochs" --threads "$threads" -q --json \
  > "$work/train.json"
out=$work/dedup-bench.md
{
  echo "## Quality: $n images ($(field "$work/train.json" samples) trained on, $epochs epochs, $(field "$work/train.json" train_seconds | cut -d. -f1) s)"
  echo
  $bin dedup hash "$images" "$work/exact.json" --method exact -q --json --overwrite > "$work/hash-exact.json"
  $py bench/score_dedup.py "$work/exact.json" "$work/truth.csv" --label "exact pixels (baseline)"
  for g in r0 r1 r2 p8 p12 p12d0.5 p24d0.5 p24d0.6 p24d0.7 p24d0.7v8 p24d0.8v8; do
    case $g in
      r*) flags="--radius ${g#r}"; label="radius ${g#r}" ;;
      p*d*v*) k=${g%d*}; k=${k#p}; d=${g#*d}; d=${d%v*}
        flags="--probe $k --probe-distance $d --verify-angle ${g#*v}"; label="probe $k, distance $d, verify angle ${g#*v}" ;;
      p*d*) k=${g%d*}; k=${k#p}; flags="--probe $k --probe-distance ${g#*d}"; label="probe $k, distance ${g#*d}" ;;
      p*) flags="--probe ${g#p}"; label="probe ${g#p}" ;;
    esac
    $bin dedup hash "$images" "$work/ae-$g.json" --model "$work/ae.pt" $flags --threads "$threads" -q --json \
      --overwrite > "$work/hash-$g.json"
    for part in "" fashion-mnist photo; do
      $py bench/score_dedup.py "$work/ae-$g.json" "$work/truth.csv" --label "autoencoder, $label${part:+, $part only}" \
        ${part:+--subset $part} | tail -1
    done
  done
  echo
  echo "## Hashing throughput: $n PNG/JPEG files, $(nproc) cores"
  echo
  echo "| tool | seconds | images/s |"
  echo "|---|---:|---:|"
  read -r rn rs rg < <($py bench/reference_dedup.py "$images")
  awk -v s="$rs" -v n="$rn" 'BEGIN{printf "| reference (PIL + numpy, bench/reference_dedup.py) | %.2f | %.0f |\n", s, n/s}'
  for f in exact r0 r2 p8 p12 p24d0.6 p24d0.7v8; do
    case $f in
      exact) flags="--method exact" ;; r*) flags="--radius ${f#r}" ;;
      p*d*v*) k=${f%d*}; d=${f#*d}; flags="--probe ${k#p} --probe-distance ${d%v*} --verify-angle ${f#*v}" ;;
      p*d*) k=${f%d*}; flags="--probe ${k#p} --probe-distance ${f#*d}" ;; p*) flags="--probe ${f#p}" ;;
    esac
    awk -v s="$(field "$work/hash-$f.json" hash_seconds)" -v n="$(field "$work/hash-$f.json" images)" -v f="$flags" \
      'BEGIN{printf "| gan-data dedup hash %s | %.2f | %.0f |\n", f, s, n/s}'
  done
} | tee "$out"
