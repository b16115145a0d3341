#include "swd.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <future>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>

#include "buffer.h"
#include "error.h"
#include "image_io.h"
#include "laplacian.h"
#include "page_advice.h"
#include "spill_file.h"
#include "swd_plan.h"
#include "wasserstein_1d.h"

namespace gankit {

namespace {

using Positions = SwdPositions;

// G(1) = pyrDown(G(0)) of every image of both sets, written by the level-0 pass and read by the
// coarser levels, which start from it instead of from each image again (per image and level: one
// read, one conversion and one full-size pyrDown fewer). Stored as uint16 256 * G(1), which is
// exact: the binomial kernel's weights are integers summing to 256, so from 0..255 integers every
// sum is an integer below 2^24 (exact in float) and G(1) is k / 256 with k <= 65280 — the coarser
// levels come out the same to the bit. Both sets (0 real, 1 fake) in one unlinked temporary file:
// half the images' bytes, outside the process's memory.
class LevelOneCache {
 public:
  // The cache for two sets of n images, or nullptr without a temp folder or with less than twice
  // its size free there: SWD needs no disk otherwise, and a large set (16384 images of 1024x1024:
  // 25 GB per set) should not fill a user's temp folder.
  static std::unique_ptr<LevelOneCache> create(int64_t n, SwdLevelSize size) {
    const int64_t bytes = 2 * n * image_values(size) * 2;
    if (bytes > SpillFile::available() / 2) return nullptr;
    auto file = SpillFile::create();
    return file ? std::unique_ptr<LevelOneCache>(new LevelOneCache(std::move(file), n, size)) : nullptr;
  }
  int64_t image_values() const { return image_values(size_); }
  // The pixels of image i of a block, as a view of `values` (CV_16UC3).
  cv::Mat image(std::vector<uint16_t>& values, int64_t i) const {
    return cv::Mat(size_.h, size_.w, CV_16UC3, values.data() + i * image_values());
  }
  // Images [first, first + n) of set `set`. A failed write (a full temp disk) is kept, not
  // thrown: the caller then does without the cache.
  void write(int set, int64_t first, int64_t n, const std::vector<uint16_t>& values) {
    if (!failure_.empty()) return;
    try {
      file_->write(values.data(), static_cast<size_t>(n * image_values()) * 2, offset(set, first),
                   "the level-1 images of the sets");
    } catch (const Error& e) {
      failure_ = e.what();
    }
  }
  const std::string& failure() const { return failure_; }
  void read(int set, int64_t first, int64_t n, std::vector<uint16_t>& values) const {
    values.resize(static_cast<size_t>(n * image_values()));
    file_->read(values.data(), values.size() * 2, offset(set, first));
  }

 private:
  LevelOneCache(std::unique_ptr<SpillFile> file, int64_t n, SwdLevelSize size)
      : file_(std::move(file)), n_(n), size_(size) {}
  static int64_t image_values(SwdLevelSize size) { return int64_t(3) * size.h * size.w; }
  int64_t offset(int set, int64_t first) const { return (set * n_ + first) * image_values() * 2; }
  std::unique_ptr<SpillFile> file_;
  int64_t n_;
  SwdLevelSize size_;
  std::string failure_;
};

// OpenCV's thread count while this lives (a process-wide setting: change it only where no other
// thread is inside OpenCV).
class OpenCvThreads {
 public:
  explicit OpenCvThreads(int n) : previous_(cv::getNumThreads()) { cv::setNumThreads(n); }
  ~OpenCvThreads() { cv::setNumThreads(previous_); }
  OpenCvThreads(const OpenCvThreads&) = delete;
  OpenCvThreads& operator=(const OpenCvThreads&) = delete;

 private:
  int previous_;
};

// A block of descriptors() input: images (uint8 CHW) or, from the cache, their G(1).
struct InputBlock {
  ImageBatch images;
  std::vector<uint16_t> g1;
};

// Per channel, the sums of value(x, channel) over image i's descriptors in `desc`, each in the
// order of (patch, pixel) loops over that channel; the three sums advance together so that their
// additions overlap (one dependency chain each).
template <class Value>
std::array<double, 3> image_sums(const FloatBuffer& desc, int64_t i, Value&& value) {
  double s[3] = {0, 0, 0};
  for (int p = 0; p < kSwdPatches; ++p) {
    const float* d = desc.data() + (static_cast<size_t>(i) * kSwdPatches + p) * kSwdDim;
    for (int k = 0; k < 49; ++k) {
      s[0] += value(d[k], 0);
      s[1] += value(d[49 + k], 1);
      s[2] += value(d[98 + k], 2);
    }
  }
  return {s[0], s[1], s[2]};
}

// Image i's 128 patches of `level` (float HWC) into its rows of `desc`, (channel, dx, dy) order.
void extract_patches(const cv::Mat& level, const Positions& pos, int lv, int64_t i, FloatBuffer& desc) {
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
}

// Normalises n images' descriptors per colour channel: mean from the per-image plain sums `part`
// (n x 3), then the population std from a second pass, both in double and reduced in image order
// (the same bits for any thread count). A constant channel stays all zeros.
void normalise(FloatBuffer& desc, int64_t n, std::vector<double>& part) {
  auto total = [&] {
    std::array<double, 3> t = {0, 0, 0};
    for (int64_t i = 0; i < n; ++i)
      for (int c = 0; c < 3; ++c) t[c] += part[static_cast<size_t>(i) * 3 + c];
    return t;
  };
  const double count = static_cast<double>(n * kSwdPatches) * 49.0;
  const auto sum = total();
  std::array<double, 3> mean;
  for (int c = 0; c < 3; ++c) mean[c] = sum[c] / count;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const auto s = image_sums(desc, i, [&](float v, int c) {
      const double d = v - mean[c];
      return d * d;
    });
    std::copy(s.begin(), s.end(), part.begin() + i * 3);
  }
  const auto sq = total();
  float fmean[3], fstd[3];
  for (int c = 0; c < 3; ++c) {
    fmean[c] = static_cast<float>(mean[c]);
    const double sd = std::sqrt(sq[c] / count);
    fstd[c] = sd > 0 ? static_cast<float>(sd) : 1.0f;
  }
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < n * kSwdPatches; ++k) {
    float* d = desc.data() + static_cast<size_t>(k) * kSwdDim;
    for (int c = 0; c < 3; ++c)
      for (int j = 0; j < 49; ++j) d[c * 49 + j] = (d[c * 49 + j] - fmean[c]) / fstd[c];
  }
}

// Where one set's images come from at one level, block by block: the set itself, or G(1) from the
// cache (levels > 1, after level 0, which fills it).
class LevelInput {
 public:
  LevelInput(ImageSet& set, int which, LevelOneCache* cache, int lv, int decode_threads)
      : set_(set),
        which_(which),
        cache_(cache),
        from_cache_(cache != nullptr && lv > 0),
        decode_threads_(decode_threads) {}
  // A set that decodes as it is read (a single-pass folder) is read in turn, on every core;
  // others are read ahead, on a thread of their own while the previous block is processed (the
  // read, a copy from the page cache or a decompression, would leave every core but one idle).
  bool read_ahead() const { return from_cache_ || !set_.decodes_on_read(); }
  void read(int64_t start, int64_t count, InputBlock& out) {
    if (from_cache_) {
      cache_->read(which_, start, count, out.g1);
    } else if (!read_ahead()) {
      OpenCvThreads all(decode_threads_);
      set_.read(start, count, out.images);
    } else {
      set_.read(start, count, out.images);
    }
  }
  // The pyramid level `lv` of image j of `block` (float HWC, in `scratch`); at level 0 with a
  // cache, its G(1) goes to `to_cache`, as image j of a block there.
  const cv::Mat& level(InputBlock& block, int64_t j, int levels, int lv, std::vector<uint16_t>& to_cache,
                       LaplacianScratch& scratch, cv::Mat& image) const {
    if (from_cache_) {
      cache_->image(block.g1, j).convertTo(image, CV_32F, 1.0 / 256);
      return laplacian_level(image, levels - 1, lv - 1, scratch);
    }
    const ImageBatch& b = block.images;
    chw_to_mat(b.image(j), 3, b.h, b.w).convertTo(image, CV_32F);
    const cv::Mat& out = laplacian_level(image, levels, lv, scratch);
    if (!to_cache.empty()) scratch.down.convertTo(cache_->image(to_cache, j), CV_16U, 256.0);
    return out;
  }

 private:
  ImageSet& set_;
  int which_;  // 0 real, 1 fake: its place in the cache
  LevelOneCache* cache_;
  bool from_cache_;
  int decode_threads_;
};

// Descriptors of one set at one level: (n * 128) x 147 float32, (channel, dx, dy) order,
// normalised per colour channel (normalise()). Images are processed in blocks of `batch` (each
// block in parallel); `on_block` reports progress. With a cache, level 0 fills the set's part
// (`which`: 0 real, 1 fake) and the others read it instead of the set; `decode_threads` is OpenCV's thread count for a
// set that decodes as it is read. `desc` is reused across calls: fresh multi-hundred-MB allocations cost more in page
// faults than the work itself.
void descriptors(ImageSet& set, int which, LevelOneCache* cache, const Positions& pos, int levels, int lv, int batch,
                 int decode_threads, const std::function<void(int64_t)>& on_block, FloatBuffer& desc) {
  const int64_t n = set.count();
  desc.resize(static_cast<size_t>(n) * kSwdPatches * kSwdDim);
  // Per-image plain sums, taken as each image's descriptors are written, while in cache.
  std::vector<double> part(static_cast<size_t>(n) * 3);
  LevelInput input(set, which, cache, lv, decode_threads);
  std::vector<uint16_t> to_cache(
      cache != nullptr && lv == 0 ? static_cast<size_t>(std::min<int64_t>(batch, n) * cache->image_values()) : 0);
  InputBlock block, next;
  std::future<void> reading;
  input.read(0, std::min<int64_t>(n, batch), block);
  for (int64_t b0 = 0; b0 < n; b0 += batch) {
    const int64_t b1 = std::min<int64_t>(n, b0 + batch);
    const int64_t next_count = std::min<int64_t>(n, b1 + batch) - b1;
    if (b1 < n && input.read_ahead())
      reading = std::async(std::launch::async, [&input, &next, b1, next_count] {
        omp_set_num_threads(1);  // its conversion loops: the cores are busy with the current block
        input.read(b1, next_count, next);
      });
#pragma omp parallel for schedule(dynamic, 4)
    for (int64_t i = b0; i < b1; ++i) {
      thread_local cv::Mat image;
      thread_local LaplacianScratch scratch;
      extract_patches(input.level(block, i - b0, levels, lv, to_cache, scratch, image), pos, lv, i, desc);
      const auto s = image_sums(desc, i, [](float v, int) { return static_cast<double>(v); });
      std::copy(s.begin(), s.end(), part.begin() + i * 3);
    }
    if (!to_cache.empty()) cache->write(which, b0, b1 - b0, to_cache);
    on_block(b1 - b0);
    if (b1 < n) {
      if (input.read_ahead())
        reading.get();  // rethrows a read error
      else
        input.read(b1, next_count, next);
      std::swap(block, next);
    }
  }
  normalise(desc, n, part);
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
  const int opencv_threads = cv::getNumThreads();
  OpenCvThreads opencv_single_thread(1);
  // Working memory, reused by every level and repeat: fresh buffers of this size would cost more
  // in page faults (the kernel zeroing new pages) than the work itself.
  FloatBuffer a, b;
  // The projections, on huge pages: every 1-D pass streams through them (page_advice.h).
  FloatBuffer pa(static_cast<size_t>(kSwdDirChunk) * n_desc), pb(pa.size());
  for (FloatBuffer* p : {&pa, &pb}) advise_huge_pages(p->data(), p->size() * sizeof(float));
  std::vector<Wasserstein1d> w1(static_cast<size_t>(omp_get_max_threads()));  // one scratch per thread
  // Level 1's Gaussian images for the coarser levels; without one (no temp folder, or no room in
  // it) each level starts from the images again (the same values, slower).
  std::unique_ptr<LevelOneCache> g1 = levels > 1 ? LevelOneCache::create(n, plan.sizes[1]) : nullptr;
  for (int lv = 0; lv < levels; ++lv) {
    descriptors(real, 0, g1.get(), real_pos, levels, lv, opt.batch, opencv_threads, on_block, a);
    descriptors(fake, 1, g1.get(), fake_pos, levels, lv, opt.batch, opencv_threads, on_block, b);
    if (lv == 0 && g1 && !g1->failure().empty()) {
      print_note(
          fmt::format("swd: {}; the coarser levels read the images again (the same values, slower)", g1->failure()));
      g1.reset();
    }
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
