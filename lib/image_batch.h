// ImageBatch — N images in one contiguous buffer: uint8, NCHW, RGB channel order (C = 3) or
// grayscale (C = 1), values 0..255. This is the layout of our HDF5 store and of the metrics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "buffer.h"

namespace gankit {

struct ImageBatch {
  int64_t n = 0;
  int c = 0, h = 0, w = 0;
  ByteBuffer data;  // n * c * h * w bytes (not zeroed on construction: fill before reading)

  ImageBatch() = default;
  ImageBatch(int64_t n_, int c_, int h_, int w_)
      : n(n_), c(c_), h(h_), w(w_), data(static_cast<size_t>(n_) * c_ * h_ * w_) {}

  size_t image_bytes() const { return static_cast<size_t>(c) * h * w; }
  uint8_t* image(int64_t i) { return data.data() + static_cast<size_t>(i) * image_bytes(); }
  const uint8_t* image(int64_t i) const { return data.data() + static_cast<size_t>(i) * image_bytes(); }
  // Keeps the first k images.
  void truncate(int64_t k) {
    if (k < n) {
      n = k;
      data.resize(static_cast<size_t>(k) * image_bytes());
    }
  }
};

}  // namespace gankit
