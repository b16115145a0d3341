#include "swd.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <future>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>

#include "buffer.h"
#include "error.h"
#include "image_io.h"
#include "laplacian.h"
#include "page_advice.h"
#include "swd_plan.h"
#include "wasserstein_1d.h"

namespace gankit {

namespace {

using Positions = SwdPositions;

// Descriptors of one set at one level: (n * 128) x 147 float32, (channel, dx, dy) order,
// normalised per colour channel with double statistics (two passes).
// Images are processed in blocks of `batch` (each block in parallel); `on_block` reports progress.
// `desc` is reused across calls: fresh multi-hundred-MB allocations cost more in page faults
// than the work itself.
void descriptors(ImageSet& set, const Positions& pos, int levels, int lv, int batch,
                 const std::function<void(int64_t)>& on_block, FloatBuffer& desc) {
  const int64_t n = set.count();
  desc.resize(static_cast<size_t>(n) * kSwdPatches * kSwdDim);
  // Per-image partial sums, reduced in image order: the same bits for any thread count. The
  // first (the plain sums) is taken as each image's descriptors are written, while in cache.
  std::vector<double> part(static_cast<size_t>(n) * 3);
  auto image_sums = [&](int64_t i, auto&& value) {
    double s[3] = {0, 0, 0};
    // Each channel's sum takes its values in the same order as (p, k) loops per channel would;
    // the three sums advance together so that their additions overlap (one chain each).
    for (int p = 0; p < kSwdPatches; ++p) {
      const float* d = desc.data() + (static_cast<size_t>(i) * kSwdPatches + p) * kSwdDim;
      for (int k = 0; k < 49; ++k) {
        s[0] += value(d[k], 0);
        s[1] += value(d[49 + k], 1);
        s[2] += value(d[98 + k], 2);
      }
    }
    for (int c = 0; c < 3; ++c) part[static_cast<size_t>(i) * 3 + c] = s[c];
  };
  auto identity = [](float v, int) { return static_cast<double>(v); };
  // The next block is read on a thread of its own while this one is processed: the read (a copy
  // from the page cache, or a decompression) would otherwise leave every core but one idle.
  ImageBatch block, next;
  std::future<void> reading;
  set.read(0, std::min<int64_t>(n, batch), block);
  for (int64_t b0 = 0; b0 < n; b0 += batch) {
    const int64_t b1 = std::min<int64_t>(n, b0 + batch);
    if (b1 < n)
      reading = std::async(std::launch::async, [&set, &next, b1, count = std::min<int64_t>(n, b1 + batch) - b1] {
        omp_set_num_threads(1);  // its conversion loops: the cores are busy with the current block
        set.read(b1, count, next);
      });
#pragma omp parallel for schedule(dynamic, 4)
    for (int64_t i = b0; i < b1; ++i) {
      thread_local cv::Mat image;
      thread_local LaplacianScratch scratch;
      chw_to_mat(block.image(i - b0), 3, block.h, block.w).convertTo(image, CV_32F);
      const cv::Mat& level = laplacian_level(image, levels, lv, scratch);
      for (int p = 0; p < kSwdPatches; ++p) {
        const size_t k = static_cast<size_t>(i) * kSwdPatches + p;
        const int cx = pos.x[lv][k], cy = pos.y[lv][k];
        float* out = desc.data() + k * kSwdDim;
        for (int dx = -kSwdHalf; dx <= kSwdHalf; ++dx)
          for (int dy = -kSwdHalf; dy <= kSwdHalf; ++dy) {
            const float* px = level.ptr<float>(cy + dy) + 3 * (cx + dx);
            const int o = (dx + kSwdHalf) * 7 + (dy + kSwdHalf);
            out[o] = px[0];
            out[49 + o] = px[1];
            out[98 + o] = px[2];
          }
      }
      image_sums(i, identity);
    }
    on_block(b1 - b0);
    if (reading.valid()) {
      reading.get();  // rethrows a read error
      std::swap(block, next);
    }
  }
  const int64_t n_desc = n * kSwdPatches;
  auto total = [&] {
    std::array<double, 3> t = {0, 0, 0};
    for (int64_t i = 0; i < n; ++i)
      for (int c = 0; c < 3; ++c) t[c] += part[static_cast<size_t>(i) * 3 + c];
    return t;
  };
  auto reduce = [&](auto&& value) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) image_sums(i, value);
    return total();
  };
  const double count = static_cast<double>(n_desc) * 49.0;
  auto sum = total();
  std::array<double, 3> mean;
  for (int c = 0; c < 3; ++c) mean[c] = sum[c] / count;
  auto sq = reduce([&](float v, int c) {
    const double d = v - mean[c];
    return d * d;
  });
  float fmean[3], fstd[3];
  for (int c = 0; c < 3; ++c) {
    fmean[c] = static_cast<float>(mean[c]);
    const double sd = std::sqrt(sq[c] / count);
    fstd[c] = sd > 0 ? static_cast<float>(sd) : 1.0f;  // a constant channel stays all zeros
  }
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < n_desc; ++k) {
    float* d = desc.data() + static_cast<size_t>(k) * kSwdDim;
    for (int c = 0; c < 3; ++c)
      for (int j = 0; j < 49; ++j) d[c * 49 + j] = (d[c * 49 + j] - fmean[c]) / fstd[c];
  }
}

// Mean over directions and descriptors of |sorted(A.d) - sorted(B.d)| for one repeat.
// Projections are computed by GEMMs over fixed blocks of kSwdDescBlock descriptors (all directions
// of a chunk at once), called inside our parallel loop where OpenBLAS runs single-threaded:
// every projection comes from a call of the same shape whatever the thread count, so results are
// the same to the bit on 1 or 16 threads (one multi-threaded GEMM partitions per thread count).
// `pa` and `pb` hold kSwdDirChunk x n_desc projections.
double repeat_distance(const FloatBuffer& a, const FloatBuffer& b, int64_t n_desc, const std::vector<float>& dirs,
                       FloatBuffer& pa, FloatBuffer& pb, std::vector<Wasserstein1d>& w1) {
  std::vector<double> per_dir(kSwdDirs, 0.0);
  const int64_t blocks = (n_desc + kSwdDescBlock - 1) / kSwdDescBlock;
  // Per block and direction: the range of its projections, taken while they are in cache.
  std::vector<std::array<float, 2>> ranges(static_cast<size_t>(2 * blocks * kSwdDirChunk));
  for (int d0 = 0; d0 < kSwdDirs; d0 += kSwdDirChunk) {
    const float* d = dirs.data() + static_cast<size_t>(d0) * kSwdDim;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t blk = 0; blk < 2 * blocks; ++blk) {
      const bool second = blk >= blocks;
      const int64_t i0 = (second ? blk - blocks : blk) * kSwdDescBlock;
      const int64_t nb = std::min<int64_t>(kSwdDescBlock, n_desc - i0);
      // The GEMM writes into a block of its own that stays in cache (OpenBLAS first zeroes its
      // output: on the projection buffers themselves that is one more pass over cold memory);
      // the rows are then copied out, their ranges taken on the way.
      thread_local std::vector<float> block(static_cast<size_t>(kSwdDirChunk) * kSwdDescBlock);
      // block (chunk x nb) = D (chunk x 147) . X[i0:i0+nb]^T (147 x nb)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, kSwdDirChunk, static_cast<int>(nb), kSwdDim, 1.0f, d,
                  kSwdDim, (second ? b : a).data() + static_cast<size_t>(i0) * kSwdDim, kSwdDim, 0.0f, block.data(),
                  static_cast<int>(nb));
      float* out = (second ? pb : pa).data() + i0;
      for (int j = 0; j < kSwdDirChunk; ++j) {
        const float* row = block.data() + static_cast<size_t>(j) * nb;
        float lo = row[0], hi = row[0];
        Wasserstein1d::copy_range(row, out + static_cast<size_t>(j) * n_desc, static_cast<size_t>(nb), lo, hi);
        ranges[static_cast<size_t>(blk * kSwdDirChunk + j)] = {lo, hi};
      }
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (int j = 0; j < kSwdDirChunk; ++j) {
      const size_t n = static_cast<size_t>(n_desc);
      float lo = ranges[static_cast<size_t>(j)][0], hi = ranges[static_cast<size_t>(j)][1];
      for (int64_t blk = 1; blk < 2 * blocks; ++blk) {
        lo = std::min(lo, ranges[static_cast<size_t>(blk * kSwdDirChunk + j)][0]);
        hi = std::max(hi, ranges[static_cast<size_t>(blk * kSwdDirChunk + j)][1]);
      }
      per_dir[static_cast<size_t>(d0 + j)] = w1[static_cast<size_t>(omp_get_thread_num())].sorted_abs_diff_sum(
          pa.data() + static_cast<size_t>(j) * n, pb.data() + static_cast<size_t>(j) * n, n, lo, hi);
    }
  }
  double total = 0;
  for (double s : per_dir) total += s;
  return total / (static_cast<double>(n_desc) * kSwdDirs);
}

}  // namespace

SwdResult sliced_wasserstein(const ImageBatch& real, const ImageBatch& fake, const SwdOptions& options) {
  auto r = image_set_view(real), f = image_set_view(fake);
  return sliced_wasserstein(*r, *f, options);
}

SwdResult sliced_wasserstein(ImageSet& real, ImageSet& fake, const SwdOptions& opt) {
  const SwdPlan plan = make_swd_plan(real, fake, opt);
  const int64_t n = plan.n;
  const int levels = plan.levels;
  const Positions& real_pos = plan.real;
  const Positions& fake_pos = plan.fake;
  const auto& dirs = plan.dirs;
  // Progress in image-level units: extracting one image's patches at one level counts 1, one
  // repeat's projections and sorts count as much as extracting a whole set.
  Progress progress("swd", static_cast<int64_t>(levels) * (2 + kSwdRepeats) * n, opt.progress, "img");
  auto on_block = [&](int64_t k) { progress.add(k); };
  SwdResult result;
  result.resolutions = plan.resolutions;
  const int64_t n_desc = n * kSwdPatches;
  // Our loops are parallel already: OpenCV's own threads inside them would only oversubscribe.
  struct OpenCvSingleThread {
    int previous = cv::getNumThreads();
    OpenCvSingleThread() { cv::setNumThreads(1); }
    ~OpenCvSingleThread() { cv::setNumThreads(previous); }
  } opencv_single_thread;
  // Working memory, reused by every level and repeat: fresh buffers of this size would cost more
  // in page faults (the kernel zeroing new pages) than the work itself.
  FloatBuffer a, b;
  // The projections, on huge pages: every 1-D pass streams through them (page_advice.h).
  FloatBuffer pa(static_cast<size_t>(kSwdDirChunk) * n_desc), pb(pa.size());
  for (FloatBuffer* p : {&pa, &pb}) advise_huge_pages(p->data(), p->size() * sizeof(float));
  std::vector<Wasserstein1d> w1(static_cast<size_t>(omp_get_max_threads()));  // one scratch per thread
  for (int lv = 0; lv < levels; ++lv) {
    descriptors(real, real_pos, levels, lv, opt.batch, on_block, a);
    descriptors(fake, fake_pos, levels, lv, opt.batch, on_block, b);
    double sum = 0;
    for (int r = 0; r < kSwdRepeats; ++r) {
      sum += repeat_distance(a, b, n_desc, dirs[static_cast<size_t>(lv * kSwdRepeats + r)], pa, pb, w1);
      progress.add(n);
    }
    result.swd.push_back(sum / kSwdRepeats * 1e3);
  }
  progress.finish();
  double total = 0;
  for (double v : result.swd) total += v;
  result.average = total / levels;
  return result;
}

}  // namespace gankit
