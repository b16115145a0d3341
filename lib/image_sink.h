// ImageSink — where a stream of generated images goes, chosen by the output path:
//   OUT.h5   an HDF5 pyramid (hdf5_store.h) with every level down to 1x1
//   OUT.npy  an uint8 NHWC array
//   OUT      otherwise a folder of PNGs 00000000.png, 00000001.png, ...
// All three are what gan-eval reads. The output appears under its name only on commit().
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "image_batch.h"

namespace gankit {

class ImageSink {
 public:
  virtual ~ImageSink() = default;
  virtual void append(const ImageBatch& batch) = 0;  // C x R x R images, in order
  virtual void commit() = 0;
};

struct ImageSinkOptions {
  bool overwrite = false;
  std::map<std::string, std::string> attributes;  // provenance (HDF5 attributes; ignored by the others)
};

// A sink for `n` square images of `channels` x `resolution` x `resolution`. Throws Error(Data)
// naming the path when it exists (without overwrite) or cannot be written.
std::unique_ptr<ImageSink> open_image_sink(const std::filesystem::path& out, int64_t n, int channels, int resolution,
                                           const ImageSinkOptions& options);

}  // namespace gankit
