#!/usr/bin/env bash
# The main job on the embedded default data: Fashion-MNIST from Debian's dataset-fashion-mnist.
# Installs dependencies, builds, imports the training and test sets into HDF5 pyramids, shows
# one, exports a few PNGs and measures the two sets against each other with gan-eval; trains two
# short runs (DCGAN, LSGAN) and compares them with gan-eval compare (an HTML report).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
data=/usr/share/datasets/fashion-mnist
out=${GANKIT_DEMO_DIR:-demo-output}
mkdir -p "$out"
bin=build/bin
echo "== gan-data import $data -> $out/fashion-mnist-train.h5"
$bin/gan-data import "$data" "$out/fashion-mnist-train.h5" --split train --overwrite
echo
echo "== gan-data info $out/fashion-mnist-train.h5"
$bin/gan-data info "$out/fashion-mnist-train.h5"
echo
echo "== gan-data export (first 16 images at 32x32) -> $out/fashion-mnist-png"
$bin/gan-data export "$out/fashion-mnist-train.h5" "$out/fashion-mnist-png" --limit 16 --overwrite

echo
echo "== gan-data import (test split) -> $out/fashion-mnist-test.h5"
$bin/gan-data import "$data" "$out/fashion-mnist-test.h5" --split test --overwrite --quiet --json
echo
echo "== gan-eval swd: 4096 training vs 4096 test images (real vs real: the metric's noise floor)"
$bin/gan-eval swd "$out/fashion-mnist-train.h5" "$out/fashion-mnist-test.h5" --num-images 4096
echo
echo "== gan-eval msssim: diversity of the test set (1000 pairs; lower = more diverse)"
$bin/gan-eval msssim "$out/fashion-mnist-test.h5" --num-pairs 1000

echo
echo "== gan-train: a short DCGAN run at 32x32 on the training set (300 steps of 64 images, CPU)"
$bin/gan-train --data "$out/fashion-mnist-train.h5" --out "$out/dcgan-run" --loss gan --steps 300 --batch 64 \
  --ngf 32 --ndf 32 --sample-every 100 --checkpoint-every 100 --keep-every 100 --overwrite --quiet
echo
echo "== gan-eval swd: 2048 test images vs 2048 samples, untrained generator (step 0) then step 300"
for step in 000000 000300; do
  $bin/gan-train sample "$out/dcgan-run/checkpoints/step_$step.pt" --num 2048 --out "$out/samples-$step.npy" \
    --overwrite --quiet
  $bin/gan-eval swd "$out/fashion-mnist-test.h5" "$out/samples-$step.npy" --num-images 2048 --quiet
done
echo
echo "Sample grids: $out/dcgan-run/samples/ (step_000000.png = untrained ... step_000300.png)"

echo
echo "== gan-train: the same budget with LSGAN; gan-eval compare ranks both runs (3 draws per checkpoint)"
$bin/gan-train --data "$out/fashion-mnist-train.h5" --out "$out/lsgan-run" --loss lsgan --steps 300 --batch 64 \
  --ngf 32 --ndf 32 --sample-every 100 --checkpoint-every 100 --keep-every 100 --overwrite --quiet
$bin/gan-eval compare "$out/fashion-mnist-train.h5" "$out/dcgan-run" "$out/lsgan-run" --out "$out/report" \
  --num-images 1024 --repeats 3 --cache-dir "$out/cache" --overwrite --quiet
echo "Open $out/report/index.html in a browser: leaderboard, SWD and MS-SSIM against training, samples."
