// Conversion between ImageBatch (uint8 NCHW, 0..255) and the float tensors the networks use
// (N, C, H, W) in [-1, 1]: x = v / 127.5 - 1 and back v = round((x + 1) * 127.5) clamped to 0..255.
#pragma once

#include <torch/types.h>

#include "image_batch.h"

namespace gankit {

// Images [start, start + n) of `batch` as a float CPU tensor in [-1, 1].
torch::Tensor images_to_tensor(const ImageBatch& batch, int64_t start, int64_t n);
// A (N, C, H, W) float tensor on any device, values in [-1, 1] (clamped), to uint8 images.
ImageBatch tensor_to_images(const torch::Tensor& x);

}  // namespace gankit
