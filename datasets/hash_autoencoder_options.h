// The training settings of the de-duplication autoencoder (hash_autoencoder.h), torch-free so
// that command-line tools can fill them without including LibTorch.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

namespace gankit {

constexpr int kHashInputUnits = 3072;  // 32 x 32 x 3
constexpr int kHashCodeUnits = 128;

// The corruption of the denoising autoencoder, drawn independently per training image: for
// half of the images a resampling (down to a side of 32 * u, u uniform in [resample, 1],
// bilinear, and back up: the blur of a resized copy; 1 = none), a random similarity warp (scale 1 +- `scale`, shift +-
// `shift` thumbnail pixels in x and y, bilinear, border pixels repeated), a brightness factor 1 +- `brightness`, then
// Gaussian pixel noise of std `noise` ([0, 1] pixel units). The margin term: each code pre-activation, in units of its
// standard deviation over the minibatch, should keep the sign it has for the clean image by at least `margin`, for the
// clean and for the corrupted image; its hinge loss is added with weight `margin_weight`. It moves pre-activations away
// from the hash threshold 0, so a bit does not flip under a small change. Defaults (bench/bench-dedup.sh,
// docs/dedup.md): noise and brightness only, no margin term. Warps, resampling and the margin term raise recall under
// radius 0 but merge distinct images far more often (precision 0.99 -> 0.94..0.45 on the benchmark), so they are
// opt-in.
struct HashAutoencoderOptions {
  double noise = 0.03;
  double brightness = 0.1;
  double resample = 1.0;
  double shift = 0.0;
  double scale = 0.0;
  double margin = 0.5;
  double margin_weight = 0.0;
  double dropout = 0.1;  // code-unit dropout
  // 10: on the docs/dedup.md benchmark, 10-epoch models find more copies at the same probe distance and
  // verified precision than 20-epoch ones (resize recall 0.912-0.922 over four trainings against
  // 0.885 and 0.893 at --probe 24 --probe-distance 0.7 --verify-angle 8): training spreads the
  // code, so copies lie farther from their original; and it takes half the time.
  int epochs = 10;
  int batch = 256;
  double lr = 1e-3;  // Adam
  uint64_t seed = 0;
  nlohmann::json to_json() const;
  static HashAutoencoderOptions from_json(const nlohmann::json& j);
};

}  // namespace gankit
