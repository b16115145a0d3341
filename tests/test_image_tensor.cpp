// Images as tensors (lib/nn/image_tensor.h).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "image_tensor.h"

namespace gankit {
namespace {

TEST(ImageTensor, RoundTripIsExact) {
  ImageBatch b(3, 3, 4, 4);
  for (size_t i = 0; i < b.data.size(); ++i) b.data[i] = static_cast<uint8_t>(i * 7);
  const ImageBatch back = tensor_to_images(images_to_tensor(b, 0, 3));
  EXPECT_TRUE(std::equal(b.data.begin(), b.data.end(), back.data.begin()));
  const ImageBatch clamped = tensor_to_images(torch::tensor({-3.0f, 3.0f, 0.0f}).view({1, 1, 1, 3}));
  EXPECT_EQ(clamped.data[0], 0);
  EXPECT_EQ(clamped.data[1], 255);
  EXPECT_EQ(clamped.data[2], 128);  // round(127.5) = 128
}

}  // namespace
}  // namespace gankit
