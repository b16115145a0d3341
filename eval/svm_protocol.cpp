#include "svm_protocol.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "error.h"
#include "linear_svm.h"
#include "rng.h"

namespace gankit {

namespace {

constexpr uint64_t kSplitStream = 0x5356'4d56ull;  // "SVMV": validation permutation
constexpr uint64_t kSearchStage = 0x5356'4d53ull;  // "SVMS": draws of the C search
constexpr uint64_t kFinalStage = 0x5356'4d46ull;   // "SVMF": draws of the final fits
constexpr uint64_t kFitStream = 0x5356'4d52ull;    // "SVMR": liblinear's example order
constexpr int64_t kBlock = 2048;                   // rows per scoring block

double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }

double std_of(const std::vector<double>& v) {  // population std, as numpy's np.std
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / v.size());
}

// Errors (%) of every model on the rows `indices` of `split` (all rows when empty).
std::vector<double> error_rates(const FeatureReader& f, const std::string& split, std::span<const int64_t> indices,
                                const std::vector<int64_t>& labels, std::vector<LinearSvm> models) {
  SvmErrorCounter counter(std::move(models));
  const int64_t n = indices.empty() ? f.split(split).count : static_cast<int64_t>(indices.size());
  std::vector<float> rows;
  std::vector<int64_t> y;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t b = std::min(kBlock, n - start);
    rows.resize(static_cast<size_t>(b * f.dim()));
    y.resize(static_cast<size_t>(b));
    if (indices.empty()) {
      f.read_rows(split, start, b, rows.data());
      std::copy(labels.begin() + start, labels.begin() + start + b, y.begin());
    } else {
      const auto part = indices.subspan(static_cast<size_t>(start), static_cast<size_t>(b));
      f.read_indices(split, part, rows.data());
      for (int64_t i = 0; i < b; ++i) y[i] = labels[part[i]];
    }
    counter.add(rows.data(), y);
  }
  std::vector<double> out;
  for (int64_t e : counter.errors()) out.push_back(100.0 * static_cast<double>(e) / static_cast<double>(n));
  return out;
}

struct Rows {
  std::vector<float> x;
  std::vector<int64_t> y;
};

Rows read_labelled(const FeatureReader& f, const std::string& split, std::span<const int64_t> indices,
                   const std::vector<int64_t>& labels) {
  Rows r;
  r.x.resize(indices.size() * static_cast<size_t>(f.dim()));
  f.read_indices(split, indices, r.x.data());
  for (int64_t i : indices) r.y.push_back(labels[i]);
  return r;
}

LinearSvm fit(const Rows& r, int64_t dim, double c, uint64_t seed) {
  return train_linear_svm(r.x.data(), static_cast<int64_t>(r.y.size()), dim, r.y, c, seed);
}

std::string format_c(double c) { return fmt::format("{:g}", c); }

}  // namespace

ValidationSplit split_validation(int64_t n, int64_t validation, uint64_t seed) {
  GANKIT_CHECK(validation >= 0 && validation <= n, Internal, "validation {} of {}", validation, n);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  std::mt19937_64 rng(derive_seed(seed, kSplitStream, 0));
  for (int64_t i = 0; i + 1 < n; ++i) std::swap(perm[i], perm[i + static_cast<int64_t>(rng() % (n - i))]);
  ValidationSplit s;
  s.validation.assign(perm.begin(), perm.begin() + validation);
  s.rest.assign(perm.begin() + validation, perm.end());
  std::sort(s.rest.begin(), s.rest.end());
  return s;
}

std::vector<int64_t> draw_labelled(std::span<const int64_t> labels, std::span<const int64_t> pool, int per_class,
                                   uint64_t seed, uint64_t stage, uint64_t draw) {
  std::map<int64_t, std::vector<int64_t>> by_class;
  for (int64_t i : pool) by_class[labels[i]].push_back(i);
  std::mt19937_64 rng(derive_seed(seed, stage, draw));
  std::vector<int64_t> out;
  for (auto& [label, members] : by_class) {
    const int64_t m = static_cast<int64_t>(members.size());
    GANKIT_CHECK_DATA(m >= per_class,
                      "class {} has {} examples to draw from, fewer than " GANKIT_SETTING("labels_per_class") " {}",
                      label, m, per_class);
    for (int64_t i = 0; i < per_class; ++i) std::swap(members[i], members[i + static_cast<int64_t>(rng() % (m - i))]);
    std::sort(members.begin(), members.begin() + per_class);
    out.insert(out.end(), members.begin(), members.begin() + per_class);
  }
  return out;
}

SvmReport run_svm_protocol(const FeatureReader& f, const SvmOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool all_labels = o.protocol == "cifar10";
  GANKIT_CHECK_USAGE(all_labels || o.protocol == "svhn" || o.protocol == "fashion-mnist",
                     GANKIT_SETTING("protocol") " {}: expected cifar10, svhn or fashion-mnist", o.protocol);
  GANKIT_CHECK_USAGE(!o.cs.empty(), "--C: give at least one value");
  for (double c : o.cs) GANKIT_CHECK_USAGE(c > 0 && std::isfinite(c), "--C {} must be positive", format_c(c));
  GANKIT_CHECK_USAGE(o.draws >= 1 && o.final_draws >= 1,
                     GANKIT_SETTING("draws") " {} and " GANKIT_SETTING("final_draws") " {} must be positive", o.draws,
                     o.final_draws);
  GANKIT_CHECK_USAGE(o.labels_per_class >= 1, GANKIT_SETTING("labels_per_class") " {} must be positive",
                     o.labels_per_class);
  GANKIT_CHECK_USAGE(o.validation >= 1, GANKIT_SETTING("validation") " {} must be positive", o.validation);

  const std::vector<int64_t> train_labels = f.labels(o.train_split);
  const std::vector<int64_t> test_labels = f.labels(o.test_split);
  const int64_t n = static_cast<int64_t>(train_labels.size());
  std::vector<int64_t> classes(train_labels.begin(), train_labels.end());
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  GANKIT_CHECK_DATA(classes.size() >= 2, "{}: the {} split has a single class ({}); an SVM needs two or more",
                    f.path().string(), o.train_split, classes[0]);

  SvmReport rep;
  rep.protocol = o.protocol;
  rep.dim = f.dim();
  rep.classes = static_cast<int>(classes.size());
  rep.test = static_cast<int64_t>(test_labels.size());
  const bool search = !all_labels || o.cs.size() > 1;
  if (search)
    GANKIT_CHECK_DATA(o.validation < n,
                      GANKIT_SETTING("validation") " {} leaves no training examples: {} has {} in split {}",
                      o.validation, f.path().string(), n, o.train_split);
  const ValidationSplit split = split_validation(n, search ? o.validation : 0, o.seed);
  rep.validation = static_cast<int64_t>(split.validation.size());
  rep.pool = static_cast<int64_t>(split.rest.size());

  const int64_t fits = all_labels ? static_cast<int64_t>(search ? o.cs.size() : 0) + 1
                                  : static_cast<int64_t>(o.cs.size()) * o.draws + o.final_draws;
  Progress progress("svm fits", fits, o.progress, "fit");
  std::vector<LinearSvm> models;
  if (all_labels) {
    rep.train_examples = n;
    if (search) {
      const Rows rest = read_labelled(f, o.train_split, split.rest, train_labels);
      for (size_t ci = 0; ci < o.cs.size(); ++ci) {
        models.push_back(fit(rest, f.dim(), o.cs[ci], derive_seed(o.seed, kFitStream, ci)));
        progress.add();
      }
    }
  } else {
    rep.train_examples = static_cast<int64_t>(o.labels_per_class) * rep.classes;
    // Every C on the same draws: read and convert each draw once.
    std::vector<std::vector<LinearSvm>> by_c(o.cs.size());
    for (int d = 0; d < o.draws; ++d) {
      const Rows r = read_labelled(f, o.train_split,
                                   draw_labelled(train_labels, split.rest, o.labels_per_class, o.seed, kSearchStage, d),
                                   train_labels);
      for (size_t ci = 0; ci < o.cs.size(); ++ci) {
        by_c[ci].push_back(fit(r, f.dim(), o.cs[ci], derive_seed(o.seed, kFitStream ^ kSearchStage, d)));
        progress.add();
      }
    }
    for (auto& v : by_c)
      for (auto& m : v) models.push_back(std::move(m));
  }
  if (search) {
    const std::vector<double> errors = error_rates(f, o.train_split, split.validation, train_labels, std::move(models));
    const size_t per_c = all_labels ? 1 : static_cast<size_t>(o.draws);
    for (size_t ci = 0; ci < o.cs.size(); ++ci) {
      SvmSearchRow row;
      row.c = o.cs[ci];
      row.errors.assign(errors.begin() + ci * per_c, errors.begin() + (ci + 1) * per_c);
      row.mean = mean_of(row.errors);
      row.std = std_of(row.errors);
      rep.search.push_back(row);
    }
    rep.best_c = std::min_element(rep.search.begin(), rep.search.end(), [](const auto& a, const auto& b) {
                   return a.mean < b.mean;
                 })->c;
  } else {
    rep.best_c = o.cs[0];
  }

  std::vector<LinearSvm> finals;
  if (all_labels) {
    std::vector<int64_t> everything(static_cast<size_t>(n));
    std::iota(everything.begin(), everything.end(), 0);
    const Rows all = read_labelled(f, o.train_split, everything, train_labels);
    finals.push_back(fit(all, f.dim(), rep.best_c, derive_seed(o.seed, kFitStream ^ kFinalStage, 0)));
    progress.add();
  } else {
    for (int d = 0; d < o.final_draws; ++d) {
      const Rows r = read_labelled(f, o.train_split,
                                   draw_labelled(train_labels, split.rest, o.labels_per_class, o.seed, kFinalStage, d),
                                   train_labels);
      finals.push_back(fit(r, f.dim(), rep.best_c, derive_seed(o.seed, kFitStream ^ kFinalStage, d)));
      progress.add();
    }
  }
  progress.finish();
  rep.test_errors = error_rates(f, o.test_split, {}, test_labels, std::move(finals));
  rep.test_mean = mean_of(rep.test_errors);
  rep.test_std = std_of(rep.test_errors);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

}  // namespace gankit
