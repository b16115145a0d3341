#include "feature_matrix.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace gankit {

void check_finite(const FeatureMatrix& f, const std::string& what) {
  const auto bad = std::find_if(f.data.begin(), f.data.end(), [](float v) { return !std::isfinite(v); });
  if (bad == f.data.end()) return;
  const int64_t at = bad - f.data.begin();
  fail(ErrorKind::Data, fmt::format("{}: feature {} of image {} is {} (the backbone's output must be finite)", what,
                                    at % f.dim, at / f.dim,
                                    std::isnan(*bad) ? "nan"
                                    : *bad > 0       ? "inf"
                                                     : "-inf"));
}

FeatureMatrix first_rows(const FeatureMatrix& f, int64_t n) {
  FeatureMatrix out(std::min(n, f.rows), f.dim);
  std::copy(f.data.begin(), f.data.begin() + static_cast<std::ptrdiff_t>(out.data.size()), out.data.begin());
  return out;
}

}  // namespace gankit
