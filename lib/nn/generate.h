// Sampling a trained generator: the images gan-eval measures and the grids people look at.
//
// Image i of seed s is G(z_i) with z_i ~ N(0, I) drawn from its own generator
// derive_seed(s, generate stream, i), and G in eval mode (BatchNorm with its running
// statistics), so image i does not depend on the batch size or on how many images are asked for.
// A ProGAN checkpoint samples with its moving-average generator, at the level (and fade) the run
// had reached, or at an earlier level that it has grown through.
#pragma once

#include <c10/core/Device.h>

#include <filesystem>

#include "dcgan.h"
#include "gan_models.h"
#include "image_batch.h"

namespace gankit {

// A checkpoint file, or a run folder (its checkpoints/latest.pt).
std::filesystem::path resolve_checkpoint(const std::filesystem::path& run_or_checkpoint);

struct LoadedGenerator {
  TrainConfig config;
  TrainState state;
  DcganGenerator g{nullptr};       // dcgan family, in eval mode
  ProganGenerator g_ema{nullptr};  // progan: the moving average of G
  int level = 0;                   // progan: the level sampled ...
  double alpha = 1.0;              // ... and its fade-in
  int resolution() const;          // of the images made
  int z_dim() const { return config.z_dim; }
  // (n, z_dim) latents on the model's device -> (n, C, R, R) float, data range [-1, 1].
  torch::Tensor forward(const torch::Tensor& z);
};
// `resolution` (progan only; 0 = where the run is): a level the run has grown to, sampled at
// full fade-in unless it is the level being faded in. Throws Error(Usage) for a level beyond
// the run's or a DCGAN-family checkpoint asked for another resolution.
LoadedGenerator load_generator(const std::filesystem::path& checkpoint, const c10::Device& device, int resolution = 0);

// Latents z_first .. z_{first+n-1} of `seed`: (n, z_dim) float on the CPU.
torch::Tensor latents(int z_dim, int64_t first, int64_t n, uint64_t seed);

// Images [first, first + n) of `seed`: uint8 (n, C, R, R).
ImageBatch generate_images(LoadedGenerator& g, int64_t first, int64_t n, uint64_t seed, const c10::Device& device);

// A latent interpolation grid: row r walks from z_{2r} to z_{2r+1} of `seed` in `cols` steps
// along the great circle (slerp, since z is Gaussian), returning rows * cols images row-major.
ImageBatch interpolation_grid(LoadedGenerator& g, int rows, int cols, uint64_t seed, const c10::Device& device);

}  // namespace gankit
