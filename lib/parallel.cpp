#include "parallel.h"

#include <mutex>
#include <opencv2/core/utility.hpp>
#include <optional>

#include "error.h"

namespace gankit {

void parallel_for_ordered(int64_t n, const std::function<void(int64_t)>& body) {
  std::mutex mutex;
  int64_t first_index = n;
  std::optional<Error> first_error;
  cv::parallel_for_(cv::Range(0, static_cast<int>(n)), [&](const cv::Range& range) {
    for (int i = range.start; i < range.end; ++i) {
      try {
        body(i);
      } catch (const Error& e) {
        std::lock_guard<std::mutex> lock(mutex);
        if (i < first_index) {
          first_index = i;
          first_error = e;
        }
      }
    }
  });
  if (first_error) throw *first_error;
}

}  // namespace gankit
