// RealImages — the training data of a GAN run: one level of an HDF5 pyramid served as an endless
// stream of minibatches in a seeded order, either held in memory (uint8, N * C * R * R bytes;
// Fashion-MNIST at 32x32 is 61 MB) or streamed from the file (level_stream.h) when it does not
// fit in the data cache.
//
// Minibatch k belongs to epoch e = k / batches_per_epoch(); every epoch visits a fresh order of
// the images in consecutive slices of `batch` images, dropping the incomplete last slice. In
// memory the order is a full permutation (Fisher-Yates from derive_seed(seed, shuffle stream,
// e)); streamed it is LevelStream's windowed shuffle. Either way the stream is a pure function
// of (seed, k), so a resumed run only needs k.
//
// images_at(p, n) reads the same epoch permutations as one endless stream of images (p counts
// images, not minibatches; nothing is dropped at epoch ends): ProGAN's minibatch changes size
// with the level, so its position is the number of real images shown so far.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "image_batch.h"
#include "level_stream.h"
#include "progress.h"
#include "train_config.h"

namespace gankit {

// Where the data lives: kept in memory (Memory; Auto when the level fits in cache_bytes) or
// streamed through a cache of cache_bytes (two windows of images).
struct DataPolicy {
  DataResidency residency = DataResidency::Auto;
  int64_t cache_bytes = int64_t{1} << 30;
};

class RealImages {
 public:
  // Throws Error(Data) naming the file when the level is missing or holds fewer than `batch`
  // images, or (in memory) more than 80% of this machine's memory; Error(Usage) when the cache
  // cannot hold two minibatches.
  RealImages(const std::filesystem::path& file, int resolution, int batch, uint64_t seed, ProgressOptions progress,
             DataPolicy policy = {});
  ~RealImages();

  int64_t count() const { return count_; }
  int channels() const { return channels_; }
  int64_t batches_per_epoch() const { return count_ / batch_; }
  bool streamed() const { return stream_ != nullptr; }
  // "in memory (61.4 MB)" or "streamed (windows of 10880 images in runs of 22, 256 MB cache)".
  std::string describe() const;
  // Minibatch k as (batch, C, R, R) float in [-1, 1] on the CPU; with world > 1 only its rows
  // rank, rank + world, ... (a data-parallel rank's part, data_parallel.h).
  torch::Tensor batch(int64_t k, int rank = 0, int world = 1);
  // The image indices of minibatch k (for tests).
  std::vector<int64_t> batch_indices(int64_t k);
  // Images [position, position + n) of the stream as (n, C, R, R) float in [-1, 1] on the CPU;
  // with world > 1 only rows rank, rank + world, ... of them.
  torch::Tensor images_at(int64_t position, int64_t n, int rank = 0, int world = 1);
  // The image index at stream position `position`.
  int64_t index_at(int64_t position);

 private:
  ImageBatch images_;                    // in memory
  std::unique_ptr<LevelStream> stream_;  // or streamed
  int64_t count_ = 0, cache_bytes_ = 0;
  int channels_ = 0, resolution_ = 0;
  int batch_;
  uint64_t seed_;
  int64_t epoch_ = -1;
  std::vector<int64_t> order_;
  void shuffle(int64_t epoch);
  // Rows rank, rank + world, ... of n images (image(i): image i's bytes) as (rows, C, R, R) float.
  torch::Tensor rows(int64_t n, int rank, int world, const std::function<const uint8_t*(int64_t)>& image);
};

}  // namespace gankit
