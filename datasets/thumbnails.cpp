#include "thumbnails.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <random>

#include "error.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "image_source.h"
#include "parallel.h"
#include "progress.h"
#include "rng.h"

namespace gankit {
namespace fs = std::filesystem;

std::string thumbnail_description() {
  return fmt::format("{0}x{0} RGB centre crop: box means to {1}, Gaussian sigma {2} thumbnail px, bicubic",
                     kThumbnailSide, kThumbnailPrereduce, kThumbnailBlur);
}

void make_thumbnail(const cv::Mat& image, uint8_t* out) {
  const int s = std::min(image.cols, image.rows);
  cv::Mat crop = image(cv::Rect((image.cols - s) / 2, (image.rows - s) / 2, s, s));
  cv::Mat work;
  int side = s;
  if (s > kThumbnailPrereduce) {
    // Box means down to 64 first (exact area averaging, cheap); the Gaussian below then does
    // the real low-pass. HDF5 pyramids store these very 2x2 box means as their levels.
    cv::resize(crop, work, cv::Size(kThumbnailPrereduce, kThumbnailPrereduce), 0, 0, cv::INTER_AREA);
    work.convertTo(work, CV_32F);
    side = kThumbnailPrereduce;
  } else {
    crop.convertTo(work, CV_32F);
  }
  // The same blur at every source resolution, measured in thumbnail pixels: the thumbnail of a
  // resized copy and of its original then hold the same band of the picture (docs/dedup.md).
  const double sigma = kThumbnailBlur * side / kThumbnailSide;
  cv::GaussianBlur(work, work, cv::Size(0, 0), sigma, sigma, cv::BORDER_REPLICATE);
  cv::Mat small;
  if (side == kThumbnailSide)
    small = work;
  else
    cv::resize(work, small, cv::Size(kThumbnailSide, kThumbnailSide), 0, 0, cv::INTER_CUBIC);
  small.convertTo(small, CV_8U);  // rounds and saturates (cubic overshoot)
  constexpr int plane = kThumbnailSide * kThumbnailSide;
  for (int y = 0; y < kThumbnailSide; ++y) {
    const uint8_t* row = small.ptr<uint8_t>(y);
    for (int x = 0; x < kThumbnailSide; ++x) {
      for (int c = 0; c < 3; ++c)
        out[c * plane + y * kThumbnailSide + x] = row[x * small.channels() + (small.channels() == 1 ? 0 : c)];
    }
  }
}

void ThumbnailBatch::clear() {
  pixels.clear();
  index.clear();
  names.clear();
  pixel_hashes.clear();
}

struct ThumbnailReader::Impl {
  fs::path path;
  std::unique_ptr<ImageSource> source;  // importer formats
  std::unique_ptr<PyramidReader> h5;    // our pyramid
  int level = 0;                        // pyramid level read
  std::vector<SourceRecord> records;

  // Pyramid images (NCHW, c channels, level x level) -> thumbnails.
  void pyramid_thumbnails(const ImageBatch& b, uint8_t* out) const {
    parallel_for_ordered(b.n, [&](int64_t i) {
      cv::Mat img = chw_to_mat(b.image(i), b.c, b.h, b.w);
      make_thumbnail(img, out + static_cast<size_t>(i) * kThumbnailBytes);
    });
  }
};

ThumbnailReader::ThumbnailReader(const fs::path& path, const DatasetInputOptions& options, ReadContent content)
    : impl_(std::make_unique<Impl>()), content_(content) {
  impl_->path = path;
  GANKIT_CHECK_DATA(fs::exists(path), "{} does not exist", path.string());
  const bool is_h5 =
      options.format == "h5" || (options.format == "auto" && fs::is_regular_file(path) && path.extension() == ".h5");
  if (is_h5) {
    GANKIT_CHECK_USAGE(options.split.empty() && !options.recursive,
                       GANKIT_SETTING("split") " and " GANKIT_SETTING("recursive") " do not apply to {}",
                       path.string());
    impl_->h5 = std::make_unique<PyramidReader>(path);
    const auto& levels = impl_->h5->info().resolutions;  // largest first
    impl_->level = levels.front();
    for (int r : levels)
      if (r >= kThumbnailPrereduce) impl_->level = r;  // the smallest level that is still >= 64
    if (content == ReadContent::PixelHashes) impl_->level = levels.front();
  } else {
    SourceOptions so;
    so.format = options.format;
    so.split = options.split;
    so.recursive = options.recursive;
    impl_->source = open_source(path, so);
  }
}

ThumbnailReader::~ThumbnailReader() = default;

std::string ThumbnailReader::format() const { return impl_->h5 ? "h5" : impl_->source->format(); }

int64_t ThumbnailReader::count() const { return impl_->h5 ? impl_->h5->count() : impl_->source->count(); }

bool ThumbnailReader::random_access() const { return impl_->h5 != nullptr; }

bool ThumbnailReader::next(ThumbnailBatch& out, size_t max) {
  if (impl_->h5) {
    // At most ~64 MiB of pyramid pixels per call (the exact method reads the largest level).
    const int64_t image_bytes = int64_t{impl_->h5->channels()} * impl_->level * impl_->level;
    const int64_t n = std::min({static_cast<int64_t>(max), std::max<int64_t>(1, (int64_t{64} << 20) / image_bytes),
                                impl_->h5->count() - records_});
    if (n <= 0) return false;
    const ImageBatch b = impl_->h5->read(impl_->level, records_, n);
    if (content_ == ReadContent::PixelHashes) {
      for (int64_t i = 0; i < n; ++i) out.pixel_hashes.push_back(bytes_hash({b.image(i), b.image_bytes()}));
    } else {
      const size_t base = out.pixels.size();
      out.pixels.resize(base + static_cast<size_t>(n) * kThumbnailBytes);
      impl_->pyramid_thumbnails(b, out.pixels.data() + base);
    }
    for (int64_t i = 0; i < n; ++i) {
      out.index.push_back(records_ + i);
      out.names.push_back(fmt::format("{}#{}", impl_->path.string(), records_ + i));
    }
    records_ += n;
    return true;
  }
  auto& recs = impl_->records;
  recs.clear();
  if (!impl_->source->next_batch(recs, max)) return false;
  std::vector<size_t> good;
  for (size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].error.empty()) {
      good.push_back(i);
      continue;
    }
    ++unreadable_;
    unreadable_names_.push_back(recs[i].name);
    print_note("skipped: " + plain_text(recs[i].error));
  }
  if (content_ == ReadContent::PixelHashes) {
    const size_t base = out.pixel_hashes.size();
    out.pixel_hashes.resize(base + good.size());
    parallel_for_ordered(static_cast<int64_t>(good.size()), [&](int64_t i) {
      out.pixel_hashes[base + static_cast<size_t>(i)] = pixel_hash(recs[good[static_cast<size_t>(i)]].image);
    });
  } else {
    const size_t base = out.pixels.size();
    out.pixels.resize(base + good.size() * kThumbnailBytes);
    parallel_for_ordered(static_cast<int64_t>(good.size()), [&](int64_t i) {
      make_thumbnail(recs[good[static_cast<size_t>(i)]].image,
                     out.pixels.data() + base + static_cast<size_t>(i) * kThumbnailBytes);
    });
  }
  for (size_t i : good) {
    out.index.push_back(records_ + static_cast<int64_t>(i));
    out.names.push_back(std::move(recs[i].name));
  }
  records_ += static_cast<int64_t>(recs.size());
  return true;
}

std::vector<uint8_t> ThumbnailReader::read_at(std::span<const int64_t> indices) const {
  GANKIT_CHECK(impl_->h5 != nullptr && content_ == ReadContent::Thumbnails, Internal,
               "read_at needs an HDF5 pyramid read for thumbnails");
  std::vector<uint8_t> out(indices.size() * kThumbnailBytes);
  constexpr size_t kChunk = 4096;
  for (size_t i = 0; i < indices.size(); i += kChunk) {
    const size_t n = std::min(kChunk, indices.size() - i);
    const ImageBatch b = impl_->h5->read_indices(impl_->level, indices.subspan(i, n));
    impl_->pyramid_thumbnails(b, out.data() + i * kThumbnailBytes);
  }
  return out;
}

std::vector<uint8_t> sample_thumbnails(ThumbnailReader& reader, int64_t n, uint64_t seed,
                                       const ProgressOptions& progress_options) {
  GANKIT_CHECK_USAGE(n > 0, GANKIT_SETTING("samples") " {} must be positive", n);
  std::mt19937_64 rng(derive_seed(seed, 0x7468756d62ull /* "thumb" */, 0));
  if (reader.random_access()) {
    const int64_t total = reader.count();
    std::vector<int64_t> idx(static_cast<size_t>(total));
    for (int64_t i = 0; i < total; ++i) idx[static_cast<size_t>(i)] = i;
    if (n < total) {
      // Partial Fisher-Yates: the first n entries are a uniform sample.
      for (int64_t i = 0; i < n; ++i) {
        std::uniform_int_distribution<int64_t> pick(i, total - 1);
        std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(pick(rng))]);
      }
      idx.resize(static_cast<size_t>(n));
      std::sort(idx.begin(), idx.end());
    }
    return reader.read_at(idx);
  }
  // Reservoir sampling (Algorithm R) over readable images, in dataset order.
  std::vector<uint8_t> reservoir;
  std::vector<int64_t> order;  // dataset position of each reservoir slot
  int64_t seen = 0;
  Progress bar("sample", reader.count(), progress_options);
  ThumbnailBatch batch;
  while (true) {
    batch.clear();
    if (!reader.next(batch, 512)) break;
    for (size_t i = 0; i < batch.size(); ++i, ++seen) {
      const uint8_t* px = batch.pixels.data() + i * kThumbnailBytes;
      int64_t slot = seen;
      if (seen >= n) slot = std::uniform_int_distribution<int64_t>(0, seen)(rng);
      if (slot >= n) continue;
      if (slot == static_cast<int64_t>(order.size())) {
        reservoir.insert(reservoir.end(), px, px + kThumbnailBytes);
        order.push_back(batch.index[i]);
      } else {
        std::copy(px, px + kThumbnailBytes, reservoir.begin() + slot * kThumbnailBytes);
        order[static_cast<size_t>(slot)] = batch.index[i];
      }
    }
    bar.add(static_cast<int64_t>(batch.size()));
  }
  bar.finish();
  // Dataset order, so the sample is a set, not a permutation that depends on the reservoir.
  std::vector<size_t> perm(order.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::sort(perm.begin(), perm.end(), [&](size_t a, size_t b) { return order[a] < order[b]; });
  std::vector<uint8_t> out(reservoir.size());
  for (size_t i = 0; i < perm.size(); ++i)
    std::copy_n(reservoir.begin() + perm[i] * kThumbnailBytes, kThumbnailBytes, out.begin() + i * kThumbnailBytes);
  return out;
}

}  // namespace gankit
