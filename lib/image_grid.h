// Sample grids: N images tiled into one picture, as GAN papers show samples.
#pragma once

#include <opencv2/core.hpp>

#include "image_batch.h"

namespace gankit {

// Tiles the images of `batch` (uint8 NCHW, RGB or gray) row-major into a grid of `cols`
// columns with `pad` pixels of `background` between and around them. Returns an HWC cv::Mat
// with the batch's channels (RGB order), ready for write_image().
cv::Mat tile_images(const ImageBatch& batch, int cols, int pad = 2, uint8_t background = 0);

}  // namespace gankit
