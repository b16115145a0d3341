#!/usr/bin/env bash
# gan-eval compare's speed on the runs of scripts/compare-fashion-mnist.sh (5 runs x 11 kept
# checkpoints at 32x32), N = 4096, one draw per checkpoint, in the same run:
#   cold    copies of the runs without metrics.jsonl and an empty cache: everything measured;
#   cached  the same command again: nothing new, the report rebuilt from metrics.jsonl;
#   single  the same draws by the single commands, one by one: gan-train sample, gan-eval swd,
#           gan-eval msssim per checkpoint (what a user scripts without compare);
# and where the cold time goes (from the time_s fields of metrics.jsonl). Prints a Markdown table.
# Usage: bench/bench-compare.sh [WORK_DIR]   (WORK_DIR of scripts/compare-fashion-mnist.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-fm-compare}
bin=build/bin
py=/usr/bin/python3
[[ -f $work/train.h5 ]] || { echo "run scripts/compare-fashion-mnist.sh $work first" >&2; exit 1; }
n=4096
bench=$work/bench
rm -rf "$bench"
mkdir -p "$bench/runs"
runs=()
for d in "$work"/*/; do
  d=${d%/}
  [[ -f $d/config.json ]] || continue
  name=$(basename "$d")
  mkdir -p "$bench/runs/$name"
  cp -r "$d/config.json" "$d/log.jsonl" "$d/checkpoints" "$bench/runs/$name/"
  runs+=("$bench/runs/$name")
done
seconds() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); awk -v d=$((t1 - t0)) 'BEGIN{print d / 1e9}'; }
per() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
compare() { $bin/gan-eval compare "$work/train.h5" "${runs[@]}" --out "$bench/report" --overwrite --repeats 1 \
  --num-images $n --cache-dir "$bench/cache" --quiet; }
cold=$(seconds compare)
cached=$(seconds compare)
draws=$(cat "$bench"/runs/*/metrics.jsonl | grep -c '"metric":"swd"')

single_one() {
  local ckpt=$1
  $bin/gan-train sample "$ckpt" --num $n --seed 1 --out "$bench/fake.npy" --overwrite --quiet
  $bin/gan-eval swd "$work/train.h5" "$bench/fake.npy" --num-images $n --seed 1 --quiet
  $bin/gan-eval msssim "$bench/fake.npy" --quiet
}
single_all() { for r in "${runs[@]}"; do for c in "$r"/checkpoints/step_*.pt; do single_one "$c"; done; done; }
single=$(seconds single_all)
singles=$(ls "$bench"/runs/*/checkpoints/step_*.pt | wc -l)

echo "| case | draws | seconds | s per draw |"
echo "|---|---:|---:|---:|"
printf "| compare, cold (sample + SWD + MS-SSIM, real references) | %d | %.1f | %s |\n" "$draws" "$cold" "$(per "$cold" "$draws")"
printf "| compare, cached (nothing new: report rebuilt) | 0 | %.2f | - |\n" "$cached"
printf "| single commands one by one (sample, swd, msssim) | %d | %.1f | %s |\n" "$singles" "$single" "$(per "$single" "$singles")"
echo
$py - "$bench"/runs/*/metrics.jsonl <<'PY'
import json, sys
t = {"sample": 0.0, "swd": 0.0, "msssim": 0.0}
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        t[r["metric"]] += r["time_s"]["metric"]
        if r["metric"] == "swd":
            t["sample"] += r["time_s"]["sample"]
total = sum(t.values())
print("Where the cold compare's measuring time goes: " +
      ", ".join("%s %.1f s (%.0f%%)" % (k, v, 100 * v / total) for k, v in t.items()) + ".")
PY
