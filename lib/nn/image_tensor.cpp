#include "image_tensor.h"

#include <cstring>

#include "error.h"

namespace gankit {

torch::Tensor images_to_tensor(const ImageBatch& batch, int64_t start, int64_t n) {
  GANKIT_CHECK(start >= 0 && n >= 0 && start + n <= batch.n, Internal, "images [{}, {}) of a batch of {}", start,
               start + n, batch.n);
  auto bytes =
      torch::from_blob(const_cast<uint8_t*>(batch.image(start)), {n, batch.c, batch.h, batch.w}, torch::kUInt8);
  return bytes.to(torch::kFloat).div_(127.5).sub_(1.0);
}

ImageBatch tensor_to_images(const torch::Tensor& x) {
  GANKIT_CHECK(x.dim() == 4, Internal, "tensor_to_images: expected (N, C, H, W), got {} dims", x.dim());
  torch::Tensor v =
      ((x.detach().to(torch::kCPU, torch::kFloat) + 1.0) * 127.5).round_().clamp_(0, 255).to(torch::kUInt8);
  v = v.contiguous();
  ImageBatch out(v.size(0), static_cast<int>(v.size(1)), static_cast<int>(v.size(2)), static_cast<int>(v.size(3)));
  std::memcpy(out.data.data(), v.data_ptr<uint8_t>(), out.data.size());
  return out;
}

}  // namespace gankit
