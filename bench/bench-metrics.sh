#!/usr/bin/env bash
# Speed and peak memory of gan-eval swd / msssim against the official ProGAN metric code restated
# in numpy + scipy (bench/reference_metrics.py), on the same inputs, in the same run, with the
# values of both so agreement is visible. Inputs (made here, deterministic, uint8 NHWC .npy):
# Fashion-MNIST items upscaled to 128x128 and tinted ("real"), other items plus noise ("fake"),
# and for MS-SSIM 1000 real images vs blurred + noised copies of themselves.
# Usage: bench/bench-metrics.sh [--quick] [WORK_DIR]   (--quick: no 4096-image reference run,
# which takes about 6 minutes and 4.4 GB)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
work=${1:-$(mktemp -d)}
mkdir -p "$work"
bin=build/bin/gan-eval
[ -x "$bin" ] || scripts/build.sh >/dev/null
py=/usr/bin/python3

[ -f "$work/ms_b.npy" ] || $py bench/make_swd_pairs.py "$work" far

. bench/measure.sh
value() { $py -c "import json,sys; j=json.load(open(sys.argv[1])); print('%.5f' % (j['swd']['avg'] if j['metric']=='swd' else j['msssim']))" "$1"; }
maxrel() {  # largest relative difference over the SWD levels, or of the MS-SSIM value
  $py -c "
import json,sys
a,b=json.load(open(sys.argv[1])),json.load(open(sys.argv[2]))
if a['metric']=='swd': print('%.1e' % max(abs(a['swd'][k]-b['swd'][k])/abs(b['swd'][k]) for k in b['swd']))
else: print('%.1e' % (abs(a['msssim']-b['msssim'])/abs(b['msssim'])))" "$1" "$2"
}

echo "| metric | input | tool | seconds | peak RSS (MiB) | value | speed-up | max rel. diff |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
case_row() {  # label ours_args ref_args
  local label=$1 ours=$2 ref=$3
  read -r s1 m1 <<<"$(measure "$work/ours.json" $bin $ours --json -q)"
  if [ -n "$ref" ]; then
    read -r s2 m2 <<<"$(measure "$work/ref.json" $py bench/reference_metrics.py $ref)"
    echo "| ${label%%:*} | ${label#*:} | gan-eval | $s1 | $m1 | $(value "$work/ours.json") | $(awk -v a="$s2" -v b="$s1" 'BEGIN{printf "%.0fx", a/b}') | $(maxrel "$work/ours.json" "$work/ref.json") |"
    echo "| ${label%%:*} | ${label#*:} | numpy reference | $s2 | $m2 | $(value "$work/ref.json") | 1x | |"
  else
    echo "| ${label%%:*} | ${label#*:} | gan-eval | $s1 | $m1 | $(value "$work/ours.json") | | |"
  fi
}
case_row "SWD:1024 x 128x128, seed 1" "swd $work/real1024.npy $work/fake1024.npy --seed 1" \
  "swd $work/real1024.npy $work/fake1024.npy 1"
if [ $quick = 1 ]; then
  case_row "SWD:4096 x 128x128, seed 1" "swd $work/real4096.npy $work/fake4096.npy --seed 1" ""
else
  case_row "SWD:4096 x 128x128, seed 1" "swd $work/real4096.npy $work/fake4096.npy --seed 1" \
    "swd $work/real4096.npy $work/fake4096.npy 1"
fi
case_row "MS-SSIM:1000 pairs 128x128, image vs blurred+noised copy" "msssim $work/ms_a.npy $work/ms_b.npy" \
  "msssim $work/ms_a.npy $work/ms_b.npy"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'). SWD values: avg over levels (x1e3)."
