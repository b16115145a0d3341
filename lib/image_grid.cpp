#include "image_grid.h"

#include "error.h"
#include "image_io.h"

namespace gankit {

cv::Mat tile_images(const ImageBatch& batch, int cols, int pad, uint8_t background) {
  GANKIT_CHECK(batch.n > 0 && cols > 0 && pad >= 0, Internal, "tile_images: {} images in {} columns, pad {}", batch.n,
               cols, pad);
  const int rows = static_cast<int>((batch.n + cols - 1) / cols);
  const int type = batch.c == 3 ? CV_8UC3 : CV_8UC1;
  cv::Mat grid(rows * (batch.h + pad) + pad, cols * (batch.w + pad) + pad, type, cv::Scalar::all(background));
  for (int64_t i = 0; i < batch.n; ++i) {
    const int r = static_cast<int>(i / cols), c = static_cast<int>(i % cols);
    const cv::Rect cell(pad + c * (batch.w + pad), pad + r * (batch.h + pad), batch.w, batch.h);
    chw_to_mat(batch.image(i), batch.c, batch.h, batch.w).copyTo(grid(cell));
  }
  return grid;
}

}  // namespace gankit
