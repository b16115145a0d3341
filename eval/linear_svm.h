// The linear L2-SVM of DCGAN's feature benchmark: L2-regularised squared-hinge loss, one-vs-rest,
// trained by liblinear's dual coordinate descent (L2R_L2LOSS_SVC_DUAL) with the settings of
// scikit-learn's LinearSVC(C) that the official DCGAN code used: tolerance 1e-4, an intercept
// learned as the weight of a constant feature 1 (so it is regularised too), at most 1000 passes.
// liblinear visits the examples in rand() order: the seed makes a fit reproducible (fits run one
// at a time for that reason).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace gankit {

struct LinearSvm {
  int64_t dim = 0;
  // Class labels in liblinear's order (first appearance in the training data). Two classes have
  // one decision function (positive = classes[0]); more have one per class (argmax wins).
  std::vector<int64_t> classes;
  // Decision functions, row-major: functions() x (dim + 1), the last column is the intercept.
  std::vector<double> weights;
  int functions() const { return classes.size() == 2 ? 1 : static_cast<int>(classes.size()); }
};

// Fits rows (n x dim, row-major float) with labels (n values, at least two distinct classes).
// Throws Error(Usage) when C <= 0 and Error(Data) for fewer than two classes.
LinearSvm train_linear_svm(const float* rows, int64_t n, int64_t dim, std::span<const int64_t> labels, double c,
                           uint64_t seed);

// Scores many models on the same labelled rows, given block by block: one matrix product per
// block for all models (rows are read once, whatever the number of models).
class SvmErrorCounter {
 public:
  explicit SvmErrorCounter(std::vector<LinearSvm> models);
  // Rows (n x dim float) and their labels.
  void add(const float* rows, std::span<const int64_t> labels);
  // Misclassified rows per model, and rows seen.
  const std::vector<int64_t>& errors() const { return errors_; }
  int64_t seen() const { return seen_; }

 private:
  std::vector<LinearSvm> models_;
  int64_t dim_ = 0;
  int64_t columns_ = 0;    // decision functions of all models
  std::vector<double> w_;  // (dim + 1) x columns, column-major per function
  std::vector<int64_t> errors_;
  int64_t seen_ = 0;
  std::vector<double> x_, scores_;
};

}  // namespace gankit
