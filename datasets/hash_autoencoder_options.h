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
constexpr int64_t kMinAutoSteps = 1500;

struct HashAutoencoderOptions {
  double noise = 0.03;
  double brightness = 0.1;
  double resample = 1.0;
  double shift = 0.0;
  double scale = 0.0;
  double margin = 0.5;
  double margin_weight = 0.0;
  double dropout = 0.1;  // code-unit dropout
  // 0 = auto_epochs(): at least 10 epochs and kMinAutoSteps minibatches. 10 epochs of 100k images
  // (3,900 steps) find more copies than 20 at the same verified precision on the docs/dedup.md
  // benchmark (training spreads the code, so copies lie farther from their original); a 10k
  // sample needs more passes than that for the same model (docs/dedup.md, --target-precision).
  int epochs = 0;
  int batch = 256;
  double lr = 1e-3;  // Adam
  uint64_t seed = 0;
  nlohmann::json to_json() const;
  // The epochs a sample of `samples` images trains for: `epochs`, or when 0 the larger of 10 and
  // the epochs that make kMinAutoSteps minibatches.
  int resolved_epochs(int64_t samples) const;
  static HashAutoencoderOptions from_json(const nlohmann::json& j);
};

}  // namespace gankit
