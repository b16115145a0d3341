// Reading rows at arbitrary indices from a file in few calls: the indices grouped into runs of
// consecutive values (after sorting), so each run is one contiguous read.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

namespace gankit {

// Calls fn(first, last, positions) for each run of consecutive values in `indices` (any order,
// repeats allowed), ascending: every value of the run lies in [first, last], and `positions`
// are the places k in `indices` holding them (indices[k] - first is the row within the run).
template <class Fn>
void for_each_index_run(std::span<const int64_t> indices, Fn&& fn) {
  std::vector<size_t> order(indices.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return indices[a] < indices[b]; });
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && indices[order[j]] - indices[order[j - 1]] <= 1) ++j;
    fn(indices[order[i]], indices[order[j - 1]], std::span<const size_t>(order).subspan(i, j - i));
    i = j;
  }
}

}  // namespace gankit
