#!/usr/bin/env bash
# gan-data dedup --target-precision on two benchmarks that differ in every way, at two sizes:
#   dense   bench/make_dedup_benchmark.py: Fashion-MNIST + photo tiles, a copy of each of five
#           kinds for 10 % of the originals (JPEG q70-95, bicubic resize, crop, shift, brightness)
#   sparse  bench/make_dedup_benchmark_sparse.py: glyphs, synthetic textures and photo crops, one
#           copy for 4 % of the originals (JPEG q30-95 with any chroma subsampling, lossy WebP,
#           resize x0.5-2 with six PIL filters)
# Each at about 10k and 100k originals: a model trained with `gan-data dedup train` (its default
# epochs), then `gan-data dedup hash` with the settings docs/dedup.md recommended before
# (--probe 24 --probe-distance 0.7 --verify-angle 8) and with --target-precision 0.99 (and
# 0.995), scored by bench/score_dedup.py. Prints a Markdown table (also WORK/dedup-target.md).
# Usage: bench/bench-dedup-target.sh [WORK_DIR] [--sizes "10000 100000"]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d); sizes="10000 100000"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then work=$1; shift; fi
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    *) echo "bench-dedup-target: unknown option $1" >&2; exit 1 ;;
  esac
done
bin=build/bin/gan-data
[ -x "$bin" ] || scripts/build.sh >/dev/null
py=/usr/bin/python3
mkdir -p "$work"
out=$work/dedup-target.md
field() { $py -c "import json,sys; j=json.load(open(sys.argv[1])); print(j$2)" "$1"; }
{
  echo "| benchmark | images | model | settings | chosen (angle, grey levels) | estimated precision (95 % low) | recall jpeg | recall webp | recall resize | precision (removed) | removed |"
  echo "|---|---:|---|---|---|---|---:|---:|---:|---:|---:|"
  for kind in dense sparse; do
    for n in $sizes; do
      dir=$work/$kind-$n
      if [ ! -f "$dir/truth.csv" ]; then
        if [ $kind = dense ]; then
          limit=$((n * 93 / 100))  # the rest are the 696 photo tiles
          [ "$n" -ge 70000 ] && limit=0
          $py bench/make_dedup_benchmark.py "$dir" --limit-fm "$limit" >&2
        else
          $py bench/make_dedup_benchmark_sparse.py "$dir" --count "$n" >&2
        fi
      fi
      [ -f "$dir/ae.pt" ] || $bin dedup train "$dir/images" "$dir/ae.pt" -q --json > "$dir/train.json"
      files=$(ls "$dir/images" | wc -l)
      model="$(field "$dir/train.json" "['options']['epochs']") epochs, $(field "$dir/train.json" "['samples']") samples"
      for s in recommended t0.99 t0.995; do
        case $s in
          recommended) flags="--probe 24 --probe-distance 0.7 --verify-angle 8"; label="probe 24, distance 0.7, angle 8" ;;
          t*) flags="--target-precision ${s#t}"; label="--target-precision ${s#t}" ;;
        esac
        $bin dedup hash "$dir/images" "$dir/$s.json" --model "$dir/ae.pt" $flags -q --json --overwrite > "$dir/hash-$s.json"
        chosen=-; est=-
        if [ "${s#t}" != "$s" ]; then
          chosen="$(field "$dir/hash-$s.json" "['verify_angle']"), $(field "$dir/hash-$s.json" "['verify_pixels']")"
          est="$($py -c "import json,sys; t=json.load(open(sys.argv[1]))['target_precision']; print(f\"{t['estimated_precision']:.4f} ({t['estimated_precision_95']:.4f})\")" "$dir/hash-$s.json")"
        fi
        score=$($py bench/score_dedup.py "$dir/$s.json" "$dir/truth.csv" --json)
        $py - "$score" "$kind" "$files" "$model" "$label" "$chosen" "$est" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
r = s["recall"]
cell = lambda k: f"{r[k]:.3f}" if k in r else "-"
print(f"| {sys.argv[2]} | {sys.argv[3]} | {sys.argv[4]} | {sys.argv[5]} | {sys.argv[6]} | {sys.argv[7]} | "
      f"{cell('jpeg')} | {cell('webp')} | {cell('resize')} | {s['precision_removed']:.4f} | {s['removed']} |")
PY
      done
    done
  done
} | tee "$out"
