// Parallel loops whose failures are reported deterministically.
#pragma once

#include <cstdint>
#include <functional>

namespace gankit {

// Runs body(i) for every i in [0, n) on OpenCV's thread pool. If calls throw gankit::Error, the
// error of the lowest index is rethrown once all calls have finished: which error a user sees
// (say, the first unreadable file in sorted order) never depends on thread timing.
void parallel_for_ordered(int64_t n, const std::function<void(int64_t)>& body);

}  // namespace gankit
