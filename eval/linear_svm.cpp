#include "linear_svm.h"

#include <cblas.h>
#include <linear.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "error.h"

namespace gankit {

namespace {

void silent(const char*) {}

struct ModelDeleter {
  void operator()(model* m) const { free_and_destroy_model(&m); }
};

}  // namespace

LinearSvm train_linear_svm(const float* rows, int64_t n, int64_t dim, std::span<const int64_t> labels, double c,
                           uint64_t seed) {
  GANKIT_CHECK_USAGE(c > 0, "C {} must be positive", c);
  GANKIT_CHECK(static_cast<int64_t>(labels.size()) == n && n > 0 && dim > 0, Internal,
               "svm: {} labels for {} rows of {}", labels.size(), n, dim);
  bool two = false;
  for (int64_t i = 1; i < n && !two; ++i) two = labels[i] != labels[0];
  GANKIT_CHECK_DATA(two, "an SVM needs examples of at least two classes; all {} have label {}", n, labels[0]);
  // liblinear's sparse rows: the nonzero features (1-based), the bias feature, a terminator.
  std::vector<feature_node> nodes;
  std::vector<size_t> starts(static_cast<size_t>(n));
  std::vector<double> y(static_cast<size_t>(n));
  nodes.reserve(static_cast<size_t>(n) * (dim + 2));
  for (int64_t i = 0; i < n; ++i) {
    starts[i] = nodes.size();
    const float* r = rows + i * dim;
    for (int64_t j = 0; j < dim; ++j)
      if (r[j] != 0.0f) nodes.push_back({static_cast<int>(j + 1), static_cast<double>(r[j])});
    nodes.push_back({static_cast<int>(dim + 1), 1.0});
    nodes.push_back({-1, 0.0});
    y[i] = static_cast<double>(labels[i]);
  }
  std::vector<feature_node*> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) x[i] = nodes.data() + starts[i];
  problem prob{};
  prob.l = static_cast<int>(n);
  prob.n = static_cast<int>(dim + 1);
  prob.y = y.data();
  prob.x = x.data();
  prob.bias = 1.0;
  parameter param{};
  param.solver_type = L2R_L2LOSS_SVC_DUAL;
  param.eps = 1e-4;
  param.C = c;
  const char* bad = check_parameter(&prob, &param);
  GANKIT_CHECK(bad == nullptr, Internal, "liblinear: {}", bad ? bad : "");
  std::unique_ptr<model, ModelDeleter> m;
  {
    // liblinear prints through a global hook and draws from rand(): one fit at a time.
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    set_print_string_function(&silent);
    std::srand(static_cast<unsigned>(seed ^ (seed >> 32)));
    m.reset(train(&prob, &param));
  }
  LinearSvm out;
  out.dim = dim;
  for (int k = 0; k < m->nr_class; ++k) out.classes.push_back(m->label[k]);
  const int f = out.functions();
  // liblinear stores w feature-major: w[j * f + k] (nr_feature = dim, then the bias weight).
  out.weights.resize(static_cast<size_t>(f) * (dim + 1));
  for (int k = 0; k < f; ++k)
    for (int64_t j = 0; j <= dim; ++j) out.weights[k * (dim + 1) + j] = m->w[j * f + k];
  return out;
}

SvmErrorCounter::SvmErrorCounter(std::vector<LinearSvm> models) : models_(std::move(models)) {
  GANKIT_CHECK(!models_.empty(), Internal, "no models to score");
  dim_ = models_[0].dim;
  for (const auto& m : models_) {
    GANKIT_CHECK(m.dim == dim_, Internal, "models of {} and {} features", dim_, m.dim);
    columns_ += m.functions();
  }
  // W: (dim + 1) x columns row-major, so scores = [X 1] * W.
  w_.resize(static_cast<size_t>(dim_ + 1) * columns_);
  int64_t col = 0;
  for (const auto& m : models_)
    for (int k = 0; k < m.functions(); ++k, ++col)
      for (int64_t j = 0; j <= dim_; ++j) w_[j * columns_ + col] = m.weights[k * (dim_ + 1) + j];
  errors_.assign(models_.size(), 0);
}

void SvmErrorCounter::add(const float* rows, std::span<const int64_t> labels) {
  const int64_t n = static_cast<int64_t>(labels.size());
  if (n == 0) return;
  const int64_t ld = dim_ + 1;
  x_.resize(static_cast<size_t>(n) * ld);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < dim_; ++j) x_[i * ld + j] = rows[i * dim_ + j];
    x_[i * ld + dim_] = 1.0;
  }
  scores_.resize(static_cast<size_t>(n) * columns_);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(n), static_cast<int>(columns_),
              static_cast<int>(ld), 1.0, x_.data(), static_cast<int>(ld), w_.data(), static_cast<int>(columns_), 0.0,
              scores_.data(), static_cast<int>(columns_));
  int64_t col = 0;
  for (size_t m = 0; m < models_.size(); ++m) {
    const LinearSvm& model = models_[m];
    const int f = model.functions();
    for (int64_t i = 0; i < n; ++i) {
      const double* s = scores_.data() + i * columns_ + col;
      int64_t label;
      if (f == 1) {
        label = s[0] > 0 ? model.classes[0] : model.classes[1];
      } else {
        int best = 0;
        for (int k = 1; k < f; ++k)
          if (s[k] > s[best]) best = k;
        label = model.classes[best];
      }
      errors_[m] += label != labels[i];
    }
    col += f;
  }
  seen_ += n;
}

}  // namespace gankit
