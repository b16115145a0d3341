// HashAutoencoder — DCGAN's de-duplication network (spec DATASETS.md, "De-duplication"): a
// 3072-128-3072 denoising, dropout-regularised ReLU autoencoder whose binarised code is a
// 128-bit semantic hash.
//
// Input: 32x32 RGB thumbnails (see datasets/thumbnails.h), uint8 (n, 3072) CHW, standardised as
// (x / 255 - mean) / std with the training sample's per-pixel mean and one global std (both
// stored in the model). Code: relu(W_e x + b_e), 128 units. Output: W_d code + b_d, the clean
// standardised input (MSE).
// Training corrupts each input before encoding (the "denoising"): a global brightness offset
// uniform in [-brightness, brightness] and Gaussian pixel noise of std `noise`, both in units of
// the [0, 1] pixel range, then drops code units with probability `dropout`. Near-duplicates differ
// from their original by about that kind of change (re-encoding noise, resampling, exposure), so
// the encoder learns codes that such changes do not move across zero.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hash_autoencoder_options.h"

namespace gankit {

class HashAutoencoderImpl : public torch::nn::Module {
 public:
  HashAutoencoderImpl();
  // uint8 or float [0, 255] (n, 3072) -> standardised float (n, 3072) on the model's device.
  torch::Tensor standardise(const torch::Tensor& pixels) const;
  // Standardised (n, 3072) -> code pre-activations (n, 128); the code is their ReLU, the hash
  // bit i is pre-activation i > 0.
  torch::Tensor encode(const torch::Tensor& x);
  // Standardised, possibly corrupted input -> reconstruction, with code dropout p when training.
  torch::Tensor forward(const torch::Tensor& x, double dropout);

  torch::nn::Linear encoder{nullptr}, decoder{nullptr};
  torch::Tensor mean, inv_std;  // buffers: (3072,) and (1,)
};
TORCH_MODULE(HashAutoencoder);

struct HashTrainStats {
  int64_t samples = 0;
  std::vector<double> epoch_loss;  // mean training MSE per epoch (corrupted input, standardised units)
  double clean_loss = 0;           // MSE of clean inputs after training
  double seconds = 0;
};

// Trains a new model on `pixels` (uint8 (n, 3072), CPU) on `device`. Deterministic for a seed and
// thread count. `on_epoch(epoch, loss)` is called after each epoch.
HashTrainStats train_hash_autoencoder(HashAutoencoder& model, const torch::Tensor& pixels,
                                      const HashAutoencoderOptions& options, const c10::Device& device,
                                      const std::function<void(int, double)>& on_epoch);

// Code pre-activations of uint8 (n, 3072) pixels, in eval mode: float (n, 128) on the CPU.
torch::Tensor hash_preactivations(HashAutoencoder& model, const torch::Tensor& pixels);

// Code positions of pre-activations (n, 128): the signed distance of each image's thumbnail to
// unit j's hyperplane (positive on the side where hash bit j is set), in RMS grey levels over
// its 3072 values — pre_j / ||W_j|| in the standardised input, times 255 / inv_std (pixel units)
// / sqrt(3072). Float (n, 128), CPU.
torch::Tensor code_positions(HashAutoencoder& model, const torch::Tensor& preactivations);

// Flip distances (n, 128): how far each image's thumbnail must move to change hash bit j, the
// absolute code position. A move along W_j of that size flips the bit; any other move must be
// larger. Float (n, 128), CPU.
torch::Tensor flip_distances(HashAutoencoder& model, const torch::Tensor& preactivations);

// The model file: a LibTorch archive with the weights and a "meta" JSON record (format, options,
// training statistics, provenance in `extra`). Written atomically.
void save_hash_autoencoder(const std::filesystem::path& path, HashAutoencoder& model,
                           const HashAutoencoderOptions& options, const HashTrainStats& stats,
                           const nlohmann::json& extra);
// Throws Error(Data) naming the file when it is missing or not a gankit dedup model.
HashAutoencoder load_hash_autoencoder(const std::filesystem::path& path, const c10::Device& device,
                                      nlohmann::json* meta = nullptr);

}  // namespace gankit
