// Dedup thumbnails: every image of a dataset reduced to the input of the hashing autoencoder,
// a 32 x 32 RGB centre crop — uint8, CHW, RGB order, 3 * 32 * 32 = 3072 bytes per image.
//
// A thumbnail is the centre square of the image (side s = its shorter side), box-averaged down to
// 64 x 64 when s > 64, blurred with a Gaussian of kThumbnailBlur thumbnail pixels (s / 32 times
// that in source pixels) and resampled to 32 x 32 bicubically; gray images are replicated to RGB.
// The fixed blur makes the thumbnail nearly independent of the source resolution: a copy resized
// by 0.75..1.5 lands close to its original (at 32 x 32 without it, resampling alone moves a
// Fashion-MNIST copy as far as a distinct garment). HDF5 pyramids start from their 64 x 64 level
// (their 2x2 box means are the same area averaging), or their largest level when that is smaller.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <span>
#include <string>
#include <vector>

#include "progress.h"
#include "semantic_hash.h"

namespace gankit {

constexpr int kThumbnailSide = 32;
constexpr int kThumbnailBytes = 3 * kThumbnailSide * kThumbnailSide;
constexpr int kThumbnailPrereduce = 64;  // larger sources are box-averaged to this side first
constexpr double kThumbnailBlur = 0.7;   // Gaussian sigma, in thumbnail pixels
// Recorded in every model and groups file: models trained on other thumbnails are refused.
constexpr int kThumbnailVersion = 2;
// The thumbnail in words, built from the constants above (recorded next to the version).
std::string thumbnail_description();

// One HWC uint8 image (RGB or gray) -> `out` (kThumbnailBytes, CHW RGB).
void make_thumbnail(const cv::Mat& image, uint8_t* out);

struct ThumbnailBatch {
  std::vector<uint8_t> pixels;        // size() * kThumbnailBytes
  std::vector<int64_t> index;         // position of each image in the dataset (unreadable ones count)
  std::vector<std::string> names;     // file path, "file.h5#i", "lmdb:key", ...
  std::vector<Hash128> pixel_hashes;  // ReadContent::PixelHashes: the exact hash of each full image
  size_t size() const { return index.size(); }
  void clear();
};

struct DatasetInputOptions {
  std::string format = "auto";  // auto|h5|folder|lsun|idx|cifar10|svhn|celeba (h5 = our pyramid)
  std::string split;            // importer split, "" = its default
  bool recursive = false;       // image folders
};

// What a ThumbnailReader produces per image: its thumbnail, or (for the exact-duplicate
// baseline) the pixel_hash of the whole decoded image (HDF5: of its largest level) and no pixels.
enum class ReadContent { Thumbnails, PixelHashes };

// Reads the thumbnails of a dataset in order, in bounded memory. Records that cannot be decoded
// are skipped: each is named on stderr (always: a name is a result, not progress) and counted.
class ThumbnailReader {
 public:
  ThumbnailReader(const std::filesystem::path& path, const DatasetInputOptions& options,
                  ReadContent content = ReadContent::Thumbnails);
  ~ThumbnailReader();
  ThumbnailReader(const ThumbnailReader&) = delete;
  ThumbnailReader& operator=(const ThumbnailReader&) = delete;

  std::string format() const;  // "h5" or the importer's format name
  int64_t count() const;       // records in the dataset when known, else -1
  // Appends up to `max` thumbnails; false when the dataset is exhausted.
  bool next(ThumbnailBatch& out, size_t max);
  int64_t records() const { return records_; }        // records read so far (unreadable included)
  int64_t unreadable() const { return unreadable_; }  // skipped so far
  const std::vector<std::string>& unreadable_names() const { return unreadable_names_; }

  // HDF5 pyramids only (random access): the thumbnails of images `indices`, CHW.
  bool random_access() const;
  std::vector<uint8_t> read_at(std::span<const int64_t> indices) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ReadContent content_;
  int64_t records_ = 0;
  int64_t unreadable_ = 0;
  std::vector<std::string> unreadable_names_;
};

// A uniform random sample of up to `n` thumbnails of the dataset, drawn from `seed`: random
// indices for HDF5 pyramids, else reservoir sampling over one pass (so any source works and the
// sample does not depend on batch sizes). Thumbnails are in dataset order.
std::vector<uint8_t> sample_thumbnails(ThumbnailReader& reader, int64_t n, uint64_t seed,
                                       const ProgressOptions& progress);

}  // namespace gankit
