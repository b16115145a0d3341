// Loading a whole set of images for a metric: an image folder, a .npy/.npz array or one level
// of our HDF5 pyramid, as one ImageBatch (uint8 NCHW RGB; grayscale is tiled to 3 channels when
// `rgb` is set). All images must share one size; the error names the first file that differs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "image_batch.h"
#include "progress.h"

namespace gankit {

struct ImageSetOptions {
  int resolution = 0;      // HDF5: level to read (0 = largest); others: must match when set
  int64_t limit = -1;      // first `limit` images (-1 = all)
  bool recursive = false;  // folders
  bool rgb = true;         // tile grayscale to 3 channels
  ProgressOptions progress;
  // open_image_set: sets larger than these (decoded bytes) are streamed rather than held.
  int64_t spill_limit = int64_t(64) << 20;     // folders, .npz: decoded once into an unlinked temp file
  int64_t hdf5_hold_limit = int64_t(1) << 30;  // HDF5 levels: read by ranges
  // The caller reads the set once, in order (gan-eval swd on the CPU): a folder larger than
  // spill_limit is then decoded as it is read, on every core, with no temporary file (a second
  // pass would decode it again).
  bool single_pass = false;
};

ImageBatch load_image_set(const std::filesystem::path& path, const ImageSetOptions& options);

// Grayscale (C = 1) tiled to 3 channels, as the metrics read it; C = 3 returned unchanged.
ImageBatch to_rgb(ImageBatch batch);

// A set of images read by ranges, for metrics that pass over a large set several times
// without holding it: a .npy file is streamed from disk (the page cache makes repeated passes
// cheap); a folder or .npz member of more than 64 MiB decoded is decoded once (a folder block by
// block on every core; a deflated member is one stream) into an unlinked file in the system temp
// folder and streamed from it, or, for a single-pass caller, a folder is decoded as it is read;
// an HDF5 level of more than 1 GiB is read by ranges; smaller sets are decoded into memory once.
class ImageSet {
 public:
  virtual ~ImageSet() = default;
  virtual int64_t count() const = 0;
  virtual int channels() const = 0;
  virtual int height() const = 0;
  virtual int width() const = 0;
  // Images [start, start + n) as uint8 NCHW into `out`, whose buffer is reused when large enough.
  virtual void read(int64_t start, int64_t n, ImageBatch& out) = 0;
  // True when read() decodes files on OpenCV's threads (a single-pass folder): a caller should
  // then read in turn, with the cores free, rather than on a thread beside its own work.
  virtual bool decodes_on_read() const { return false; }
};

// Opens `path` with the same options and checks as load_image_set.
std::unique_ptr<ImageSet> open_image_set(const std::filesystem::path& path, const ImageSetOptions& options);
// A non-owning ImageSet over a batch in memory (the batch must outlive it).
std::unique_ptr<ImageSet> image_set_view(const ImageBatch& batch);

}  // namespace gankit
