// Loading a whole set of images for a metric: an image folder, a .npy/.npz array or one level
// of our HDF5 pyramid, as one ImageBatch (uint8 NCHW RGB; grayscale is tiled to 3 channels when
// `rgb` is set). All images must share one size; the error names the first file that differs.
#pragma once

#include <cstdint>
#include <filesystem>

#include "image_batch.h"
#include "progress.h"

namespace gankit {

struct ImageSetOptions {
  int resolution = 0;      // HDF5: level to read (0 = largest); others: must match when set
  int64_t limit = -1;      // first `limit` images (-1 = all)
  bool recursive = false;  // folders
  bool rgb = true;         // tile grayscale to 3 channels
  ProgressOptions progress;
};

ImageBatch load_image_set(const std::filesystem::path& path, const ImageSetOptions& options);

}  // namespace gankit
