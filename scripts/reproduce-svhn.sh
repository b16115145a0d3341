#!/usr/bin/env bash
# DCGAN's SVHN benchmark: 10000 validation examples split off train_32x32.mat choose C; 100 draws
# of 1000 class-balanced labels give the test error +- 1.96 std of a linear L2-SVM on the features
# of a DCGAN discriminator trained on SVHN, next to a random-init discriminator and raw pixels.
# Point it at a folder with train_32x32.mat and test_32x32.mat (http://ufldl.stanford.edu/housenumbers/).
# Runs after scripts/build.sh.
#
# Usage: scripts/reproduce-svhn.sh SVHN_DIR [WORK_DIR] [options]   (table -> WORK_DIR/table.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n 2,8p "$0" | sed 's/^# \{0,1\}//'; benchmark_usage; }
source "$root/scripts/lib/features-benchmark.sh"
parse_arguments 1 svhn-features "$@"
for f in train_32x32.mat test_32x32.mat; do
  require_file "$data/$f" "SVHN format 2 (cropped digits) from http://ufldl.stanford.edu/housenumbers/"
done
mkdir -p "$work"
train_h5=$work/train.h5 test_h5=$work/test.h5
[[ -f $train_h5 ]] || "$bin/gan-data" import "$data/train_32x32.mat" "$train_h5" --format svhn --quiet >/dev/null
[[ -f $test_h5 ]] || "$bin/gan-data" import "$data/test_32x32.mat" "$test_h5" --format svhn --quiet >/dev/null
protocol=svhn
title="SVHN, 1000 labels, 32x32"
paper="DCGAN (Radford et al. 2016, table 2): 22.48% test error with 1000 labels (the official code's later run: 22.18% +- 1.13%)."
run_features_benchmark
