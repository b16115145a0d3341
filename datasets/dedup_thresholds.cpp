#include "dedup_thresholds.h"

#include <algorithm>
#include <cmath>

namespace gankit {

double poisson_upper_95(int64_t n) {
  // 0.5 * chi2_{0.95}(2n + 2), chi2 by the Wilson-Hilferty cube.
  const double k = 2.0 * static_cast<double>(n) + 2.0, z = 1.6448536269514722;
  const double c = 1.0 - 2.0 / (9.0 * k) + z * std::sqrt(2.0 / (9.0 * k));
  return 0.5 * k * c * c * c;
}

namespace {

// The first of one image's hits within both limits, or null.
const PairDistance* first_within(std::span<const PairDistance> hits, double angle, double pixels) {
  for (const PairDistance& p : hits)
    if (p.angle <= angle && p.pixels <= pixels) return &p;
  return nullptr;
}

}  // namespace

VerificationChoice choose_verification(std::span<const PairDistance> all, size_t per_image, double target) {
  VerificationChoice best;
  best.target = target;
  std::vector<std::span<const PairDistance>> hits;
  for (size_t i = 0; per_image > 0 && i + per_image <= all.size(); i += per_image)
    hits.push_back(all.subspan(i, per_image));
  for (const auto& h : hits) best.candidates += !std::isinf(h[0].angle);
  bool have = false;
  for (double angle : kAngleGrid) {
    int64_t band = 0;
    for (const auto& h : hits) {
      const PairDistance* p = first_within(h, angle, kBandHigh);
      band += p && p->pixels > kBandLow;
    }
    for (double pixels : kPixelGrid) {
      VerificationChoice c = best;
      c.angle = angle;
      c.pixels = pixels;
      c.band = band;
      c.accepted = 0;
      for (const auto& h : hits) c.accepted += first_within(h, angle, pixels) != nullptr;
      const double scale = pixels / (kBandHigh - kBandLow);
      c.wrong = static_cast<double>(band) * scale;
      c.wrong_high = poisson_upper_95(band) * scale;
      const double n = static_cast<double>(c.accepted);
      c.precision = c.accepted ? std::max(0.0, 1.0 - c.wrong / n) : 1.0;
      c.precision_low = c.accepted ? std::max(0.0, 1.0 - c.wrong_high / n) : 1.0;
      c.met = c.precision >= target;
      // Meeting the target first; then the most accepted (recall); then the fewest wrong.
      const bool better =
          !have || (c.met != best.met ? c.met
                    : c.met ? (c.accepted != best.accepted ? c.accepted > best.accepted : c.wrong < best.wrong)
                            : c.precision > best.precision);
      if (better) {
        best = c;
        have = true;
      }
    }
  }
  return best;
}

}  // namespace gankit
