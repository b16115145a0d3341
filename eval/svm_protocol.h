// DCGAN's representation benchmark (Radford et al. 2016, section 5.1; spec METRICS.md,
// "Discriminator-feature L2-SVM"): linear L2-SVMs (linear_svm.h) on fixed feature vectors.
//
// Protocols, on a feature file with labelled "train" and "test" splits:
//   cifar10        every training label. With one C: fit all of train, report the test error.
//                  With several: pick C on a validation set of `validation` examples split off
//                  train (fit on the rest), then refit all of train with it.
//   svhn,          the semi-supervised protocol of the official SVHN script: `validation`
//   fashion-mnist  (10000) examples split off train by a seeded permutation; for each C, `draws`
//                  (10) fits on class-balanced draws of `labels_per_class` (100) labelled examples
//                  per class from the rest, scored on validation; the C with the lowest mean
//                  validation error is fitted on `final_draws` (100) fresh draws, scored on test.
//                  The figure is the mean test error +- 1.96 std (population std, as numpy).
// Every C is searched on the same draws (paired comparison; the official script drew anew per
// C); the final draws are independent of them. Draw d of a stage is a function of (seed, stage,
// d) only, so results do not depend on thread count or on which C values are listed.
// Memory: one draw's rows, the fitted models and a block of rows; the features are never all
// held (the cifar10 protocol holds its training set in liblinear's format: 16 bytes x N x D).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "feature_store.h"
#include "progress.h"

namespace gankit {

struct SvmOptions {
  std::string protocol = "fashion-mnist";  // cifar10 | svhn | fashion-mnist
  std::vector<double> cs = {1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2};
  int draws = 10;
  int final_draws = 100;
  int labels_per_class = 100;
  int64_t validation = 10000;
  uint64_t seed = 1;
  std::string train_split = "train";
  std::string test_split = "test";
  ProgressOptions progress;
};

struct SvmSearchRow {
  double c = 0;
  std::vector<double> errors;  // validation error (%) per draw
  double mean = 0, std = 0;
};

struct SvmReport {
  std::string protocol;
  int64_t dim = 0;
  int classes = 0;
  int64_t train_examples = 0;  // labelled examples per fit
  int64_t pool = 0;            // examples the draws come from (semi-supervised) or fitted (cifar10)
  int64_t validation = 0;
  int64_t test = 0;
  std::vector<SvmSearchRow> search;  // empty with a single C under cifar10
  double best_c = 0;
  std::vector<double> test_errors;  // test error (%) per final fit
  double test_mean = 0, test_std = 0;
  double seconds = 0;
};

SvmReport run_svm_protocol(const FeatureReader& features, const SvmOptions& options);

// The pieces, exposed for tests.
struct ValidationSplit {
  std::vector<int64_t> validation;  // row indices, in permutation order
  std::vector<int64_t> rest;        // ascending
};
// A seeded permutation of 0..n-1; its first `validation` entries are the validation set.
ValidationSplit split_validation(int64_t n, int64_t validation, uint64_t seed);
// Draw `draw` of `stage`: `per_class` indices of each class of `pool` (rows with those labels),
// sampled without replacement, classes ascending, indices ascending within a class.
std::vector<int64_t> draw_labelled(std::span<const int64_t> labels, std::span<const int64_t> pool, int per_class,
                                   uint64_t seed, uint64_t stage, uint64_t draw);

}  // namespace gankit
