#!/usr/bin/env bash
# DCGAN's representation benchmark on Fashion-MNIST (Debian's dataset-fashion-mnist), with the
# SVHN protocol: 10000 validation images split off train choose C, 100 draws of 1000 labels give
# the test error +- 1.96 std, for a trained DCGAN discriminator, a random-init one and raw pixels.
# About 20 minutes on 2 cores. Runs after scripts/build.sh.
#
# Usage: scripts/reproduce-fashion-mnist.sh [WORK_DIR] [options]   (Markdown table -> WORK_DIR/table.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n 2,7p "$0" | sed 's/^# \{0,1\}//'; benchmark_usage; }
source "$root/scripts/lib/features-benchmark.sh"
parse_arguments 0 fm-features "$@"
data=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
require_file "$data/train-images-idx3-ubyte.gz" "Debian package dataset-fashion-mnist; scripts/install-deps.sh installs it"
require_file "$data/t10k-images-idx3-ubyte.gz" "Debian package dataset-fashion-mnist"
mkdir -p "$work"
train_h5=$work/train.h5 test_h5=$work/test.h5
[[ -f $train_h5 ]] || "$bin/gan-data" import "$data" "$train_h5" --split train --quiet >/dev/null
[[ -f $test_h5 ]] || "$bin/gan-data" import "$data" "$test_h5" --split test --quiet >/dev/null
protocol=fashion-mnist
title="Fashion-MNIST, 1000 labels (SVHN protocol), 32x32"
paper="No published DCGAN figure: Fashion-MNIST is our own benchmark with the SVHN protocol."
run_features_benchmark
