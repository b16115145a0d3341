#include "msssim.h"

#include <cmath>
#include <mutex>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "error.h"
#include "image_io.h"
#include "parallel.h"

namespace gankit {

namespace {

constexpr double kWeights[5] = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kC2 = (0.03 * 255) * (0.03 * 255);

// 1-D factor of the fspecial-style window: exp(-t^2 / (2 sigma^2)) over t = -r..r (odd size)
// or -r+0.5..r-0.5 (even size), normalised. The 2-D window is its outer product.
cv::Mat window_1d(int size) {
  const double sigma = 1.5 * size / 11.0;
  const int radius = size / 2;
  const double offset = size % 2 == 0 ? 0.5 : 0.0;
  cv::Mat k(size, 1, CV_64F);
  double sum = 0;
  for (int i = 0; i < size; ++i) {
    const double t = offset - radius + i;
    k.at<double>(i) = std::exp(-t * t / (2 * sigma * sigma));
    sum += k.at<double>(i);
  }
  return k / sum;
}

// "valid" filtering: full-size separable filter into `full`, then the part that needed no border.
cv::Mat valid_filter(const cv::Mat& src, const cv::Mat& k, cv::Mat& full) {
  const int size = k.rows;
  cv::sepFilter2D(src, full, CV_64F, k, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
  const int anchor = size / 2;
  return full(cv::Rect(anchor, anchor, src.cols - size + 1, src.rows - size + 1));
}

// (a[0::2,0::2] + a[1::2,0::2] + a[0::2,1::2] + a[1::2,1::2]) * 0.25 of an even-sized image.
void box_down(const cv::Mat& src, cv::Mat& out) {
  const int h = src.rows / 2, w = src.cols / 2, c = src.channels();
  out.create(h, w, src.type());
  for (int y = 0; y < h; ++y) {
    const double* r0 = src.ptr<double>(2 * y);
    const double* r1 = src.ptr<double>(2 * y + 1);
    double* o = out.ptr<double>(y);
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch)
        o[c * x + ch] =
            (r0[c * 2 * x + ch] + r1[c * 2 * x + ch] + r0[c * (2 * x + 1) + ch] + r1[c * (2 * x + 1) + ch]) * 0.25;
  }
}

// Per-thread buffers, one set per scale: their sizes repeat from pair to pair, so after the first
// pair nothing is allocated (fresh multi-MB buffers cost a third of the time in page faults).
struct Workspace {
  cv::Mat x[5], y[5], stack[5], full[5];
};

}  // namespace

double msssim_pair(const uint8_t* a, const uint8_t* b, int c, int h, int w, bool* cropped) {
  GANKIT_CHECK_DATA(h >= 16 && w >= 16, "images are {}x{}: MS-SSIM needs at least 16x16 (5 scales)", w, h);
  thread_local Workspace ws;
  chw_to_mat(a, c, h, w).convertTo(ws.x[0], CV_64F);
  chw_to_mat(b, c, h, w).convertTo(ws.y[0], CV_64F);
  double score = 1.0;
  for (int scale = 0; scale < 5; ++scale) {
    cv::Mat x = ws.x[scale], y = ws.y[scale];
    const cv::Mat k = window_1d(std::min({11, x.rows, x.cols}));
    // The five quantities to filter, as one 5c-channel image [x, y, x*x, y*y, x*y] per channel,
    // so one separable-filter pass (SIMD over the channels) does all the work.
    cv::Mat& stack = ws.stack[scale];
    stack.create(x.rows, x.cols, CV_64FC(5 * c));
    for (int r = 0; r < x.rows; ++r) {
      const double *px = x.ptr<double>(r), *py = y.ptr<double>(r);
      double* o = stack.ptr<double>(r);
      for (int i = 0; i < x.cols * c; ++i) {
        const int col = i / c, ch = i % c;
        double* v = o + (static_cast<size_t>(col) * c + ch) * 5;
        v[0] = px[i];
        v[1] = py[i];
        v[2] = px[i] * px[i];
        v[3] = py[i] * py[i];
        v[4] = px[i] * py[i];
      }
    }
    const cv::Mat f = valid_filter(stack, k, ws.full[scale]);
    double ssim_sum = 0, cs_sum = 0;
    const int rows = f.rows, cols = f.cols * c;
    for (int r = 0; r < rows; ++r) {
      const double* v = f.ptr<double>(r);
      for (int i = 0; i < cols; ++i, v += 5) {
        const double mu11 = v[0] * v[0], mu22 = v[1] * v[1], mu12 = v[0] * v[1];
        const double v1 = 2.0 * (v[4] - mu12) + kC2;
        const double v2 = (v[2] - mu11) + (v[3] - mu22) + kC2;
        ssim_sum += ((2.0 * mu12 + kC1) * v1) / ((mu11 + mu22 + kC1) * v2);
        cs_sum += v1 / v2;
      }
    }
    const double n = static_cast<double>(rows) * cols;
    const double ssim = std::max(0.0, ssim_sum / n), cs = std::max(0.0, cs_sum / n);
    score *= scale < 4 ? std::pow(cs, kWeights[scale]) : std::pow(ssim, kWeights[scale]);
    if (scale == 4) break;
    if (x.rows % 2 || x.cols % 2) {
      if (cropped) *cropped = true;
      const cv::Rect even(0, 0, x.cols & ~1, x.rows & ~1);
      x = x(even);
      y = y(even);
    }
    box_down(x, ws.x[scale + 1]);
    box_down(y, ws.y[scale + 1]);
  }
  return score;
}

MsssimResult msssim_pairs(const ImageBatch& a, const ImageBatch& b, const std::vector<int64_t>& first,
                          const std::vector<int64_t>& second, ProgressOptions progress_options) {
  GANKIT_CHECK_DATA(a.c == b.c && a.h == b.h && a.w == b.w, "the sets have different image sizes: {}x{}x{} vs {}x{}x{}",
                    a.c, a.w, a.h, b.c, b.w, b.h);
  GANKIT_CHECK_DATA(!first.empty() && first.size() == second.size(), "MS-SSIM needs at least one pair of images");
  std::vector<double> scores(first.size());
  std::vector<char> crops(first.size(), 0);
  Progress progress("msssim", static_cast<int64_t>(first.size()), progress_options, "pair");
  std::mutex progress_mutex;
  parallel_for_ordered(static_cast<int64_t>(first.size()), [&](int64_t i) {
    bool cropped = false;
    scores[i] = msssim_pair(a.image(first[i]), b.image(second[i]), a.c, a.h, a.w, &cropped);
    crops[i] = cropped;
    std::lock_guard<std::mutex> lock(progress_mutex);
    progress.add(1);
  });
  progress.finish();
  MsssimResult r;
  r.pairs = static_cast<int64_t>(scores.size());
  double sum = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    sum += scores[i];
    r.cropped = r.cropped || crops[i];
  }
  r.mean = sum / static_cast<double>(scores.size());
  return r;
}

MsssimResult msssim_aligned(const ImageBatch& a, const ImageBatch& b, int64_t pairs, ProgressOptions progress) {
  GANKIT_CHECK_DATA(pairs > 0 && pairs <= a.n && pairs <= b.n, "{} pairs requested but the sets hold {} and {} images",
                    pairs, a.n, b.n);
  std::vector<int64_t> idx(static_cast<size_t>(pairs));
  for (int64_t i = 0; i < pairs; ++i) idx[static_cast<size_t>(i)] = i;
  return msssim_pairs(a, b, idx, idx, progress);
}

MsssimResult msssim_diversity(const ImageBatch& set, int64_t pairs, bool shuffle, uint64_t seed,
                              ProgressOptions progress) {
  GANKIT_CHECK_DATA(pairs > 0 && 2 * pairs <= set.n, "{} pairs need {} images but the set holds {}", pairs, 2 * pairs,
                    set.n);
  std::vector<int64_t> order(static_cast<size_t>(set.n));
  for (int64_t i = 0; i < set.n; ++i) order[static_cast<size_t>(i)] = i;
  if (shuffle) {
    // Fisher-Yates with rejection-sampled draws: unlike std::shuffle, the same on every platform.
    std::mt19937_64 gen(seed);
    for (size_t i = order.size() - 1; i > 0; --i) {
      const uint64_t bound = i + 1, limit = UINT64_MAX - UINT64_MAX % bound;
      uint64_t r;
      do r = gen();
      while (r >= limit);
      std::swap(order[i], order[r % bound]);
    }
  }
  std::vector<int64_t> first, second;
  for (int64_t k = 0; k < pairs; ++k) {
    first.push_back(order[static_cast<size_t>(2 * k)]);
    second.push_back(order[static_cast<size_t>(2 * k + 1)]);
  }
  return msssim_pairs(set, set, first, second, progress);
}

}  // namespace gankit
