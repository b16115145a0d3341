// RealImages — the training data of a GAN run: one level of an HDF5 pyramid held in memory
// (uint8, N * C * R * R bytes; Fashion-MNIST at 32x32 is 61 MB), served as an endless stream of
// minibatches in a seeded order.
//
// Minibatch k belongs to epoch e = k / batches_per_epoch(); every epoch visits a fresh
// permutation of the images (Fisher-Yates from derive_seed(seed, shuffle stream, e)) in
// consecutive slices of `batch` images, dropping the incomplete last slice. The stream is a pure
// function of (seed, k), so a resumed run only needs k.
//
// images_at(p, n) reads the same epoch permutations as one endless stream of images (p counts
// images, not minibatches; nothing is dropped at epoch ends): ProGAN's minibatch changes size
// with the level, so its position is the number of real images shown so far.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "image_batch.h"
#include "progress.h"

namespace gankit {

class RealImages {
 public:
  // Throws Error(Data) naming the file when the level is missing or holds fewer than `batch` images.
  RealImages(const std::filesystem::path& file, int resolution, int batch, uint64_t seed, ProgressOptions progress);

  int64_t count() const { return images_.n; }
  int channels() const { return images_.c; }
  int64_t batches_per_epoch() const { return images_.n / batch_; }
  // Minibatch k as (batch, C, R, R) float in [-1, 1] on the CPU.
  torch::Tensor batch(int64_t k);
  // The image indices of minibatch k (for tests).
  std::vector<int64_t> batch_indices(int64_t k);
  // Images [position, position + n) of the stream as (n, C, R, R) float in [-1, 1] on the CPU.
  torch::Tensor images_at(int64_t position, int64_t n);
  // The image index at stream position `position`.
  int64_t index_at(int64_t position);

 private:
  ImageBatch images_;
  int batch_;
  uint64_t seed_;
  int64_t epoch_ = -1;
  std::vector<int64_t> order_;
  void shuffle(int64_t epoch);
};

}  // namespace gankit
