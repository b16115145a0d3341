#!/usr/bin/env bash
# DCGAN's CIFAR-10 benchmark: every training label, test accuracy of a linear L2-SVM on the
# features of a DCGAN discriminator (trained on CIFAR-10, or on ImageNet-32 with --gan-data),
# next to a random-init discriminator and raw pixels. Point it at the CIFAR-10 binary version
# (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, unpacked).
# Runs after scripts/build.sh.
#
# Usage: scripts/reproduce-cifar10.sh CIFAR_DIR [WORK_DIR] [options]   (table -> WORK_DIR/table.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n 2,8p "$0" | sed 's/^# \{0,1\}//'; benchmark_usage; }
source "$root/scripts/lib/features-benchmark.sh"
parse_arguments 1 cifar10-features "$@"
[[ -d $data/cifar-10-batches-bin ]] && data=$data/cifar-10-batches-bin
for f in data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin; do
  require_file "$data/$f" "the CIFAR-10 binary version: cifar-10-binary.tar.gz, unpacked"
done
mkdir -p "$work"
train_h5=$work/train.h5 test_h5=$work/test.h5
[[ -f $train_h5 ]] || "$bin/gan-data" import "$data" "$train_h5" --format cifar10 --split train --quiet >/dev/null
[[ -f $test_h5 ]] || "$bin/gan-data" import "$data" "$test_h5" --format cifar10 --split test --quiet >/dev/null
protocol=cifar10
title="CIFAR-10, every training label, 32x32"
paper="DCGAN (Radford et al. 2016, table 1): 82.8% accuracy (ImageNet-1k-trained D, 28672 features); 1-layer K-means 80.6%, 3-layer K-means 82.0%."
run_features_benchmark
