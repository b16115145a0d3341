// FeatureMatrix — the feature vectors of one image set, as a backbone (an Inception network, a
// discriminator) outputs them: float32, row-major (N, D), row i = image i. The input of FID, KID
// and precision/recall/density/coverage (fid.h, kid.h, prdc.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gankit {

struct FeatureMatrix {
  int64_t rows = 0, dim = 0;
  std::vector<float> data;

  FeatureMatrix() = default;
  FeatureMatrix(int64_t n, int64_t d) : rows(n), dim(d), data(static_cast<size_t>(n * d)) {}
  const float* row(int64_t i) const { return data.data() + i * dim; }
  float* row(int64_t i) { return data.data() + i * dim; }
};

// Throws Error(Data) "<what>: feature J of image I is nan" at the first value that is not finite.
void check_finite(const FeatureMatrix& f, const std::string& what);

// The first `n` rows (all when n >= rows).
FeatureMatrix first_rows(const FeatureMatrix& f, int64_t n);

}  // namespace gankit
