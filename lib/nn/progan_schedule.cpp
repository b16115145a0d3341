#include "progan_schedule.h"

#include <algorithm>
#include <cmath>

namespace gankit {

ProganPosition ProganSchedule::at(int64_t images) const {
  const double kimg = static_cast<double>(images) / 1000.0;
  ProganPosition p;
  if (kimg < stable_kimg || levels == 1) return p;
  const double period = fade_kimg + stable_kimg;
  const double after = kimg - stable_kimg;  // time since level 0 stabilised
  const int64_t phase = static_cast<int64_t>(std::floor(after / period));
  if (phase + 1 >= levels) {  // the last level is stable from here on
    p.level = levels - 1;
    p.segment = 2 * p.level;
    return p;
  }
  const double in_phase = after - static_cast<double>(phase) * period;
  p.level = static_cast<int>(phase) + 1;
  if (in_phase < fade_kimg) {
    p.alpha = in_phase / fade_kimg;
    p.segment = 2 * p.level - 1;
  } else {
    p.segment = 2 * p.level;
  }
  return p;
}

int64_t ProganSchedule::segment_start(int segment) const {
  if (segment <= 0) return 0;
  const int level = (segment + 1) / 2;
  double kimg = stable_kimg + (level - 1) * (fade_kimg + stable_kimg);
  if (segment % 2 == 0) kimg += fade_kimg;
  return static_cast<int64_t>(std::llround(kimg * 1000.0));
}

int progan_batch(int base, int resolution) {
  if (resolution >= 512) return std::min(base, 4);
  if (resolution >= 256) return std::min(base, 8);
  return base;
}

}  // namespace gankit
