#!/usr/bin/env bash
# The main job on the embedded default data: Fashion-MNIST from Debian's dataset-fashion-mnist.
# Installs dependencies, builds, imports the training set into an HDF5 pyramid and shows it.
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
