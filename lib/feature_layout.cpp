#include "feature_layout.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "error.h"

namespace gankit {

FeatureLayout feature_layout(int resolution, int ndf, const std::vector<int>& layers, int pool) {
  // A power of two divides every layer size: the pooling windows tile the map exactly.
  GANKIT_CHECK_USAGE(pool >= 1 && (pool & (pool - 1)) == 0,
                     GANKIT_SETTING("pool") " {} must be a power of two (1, 2, 4, ...)", pool);
  const int blocks = resolution >= 8 ? static_cast<int>(std::lround(std::log2(resolution))) - 2 : 0;
  GANKIT_CHECK_DATA(blocks >= 1, "a {}x{} discriminator has no conv layers to take features from", resolution,
                    resolution);
  std::vector<int> chosen = layers;
  if (chosen.empty())
    for (int i = 0; i < blocks; ++i) chosen.push_back(i);
  std::set<int> seen;
  FeatureLayout out;
  for (int i : chosen) {
    GANKIT_CHECK_USAGE(i >= 0 && i < blocks,
                       GANKIT_SETTING("layers") " {}: this {}x{} discriminator has conv layers 0..{}", i, resolution,
                       resolution, blocks - 1);
    GANKIT_CHECK_USAGE(seen.insert(i).second, GANKIT_SETTING("layers") ": layer {} given twice", i);
    FeatureLayer l;
    l.index = i;
    l.channels = ndf << i;
    l.size = resolution >> (i + 1);
    l.pooled = std::min(pool, l.size);
    l.dims = static_cast<int64_t>(l.channels) * l.pooled * l.pooled;
    out.dims += l.dims;
    out.layers.push_back(l);
  }
  return out;
}

}  // namespace gankit
