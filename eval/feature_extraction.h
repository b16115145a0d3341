// `gan-eval features`: feature vectors of labelled images for the representation benchmark
// (DCGAN's L2-SVM protocol, svm_protocol.h), written as a feature file (feature_store.h).
//
// Kinds of features:
//   discriminator  a trained DCGAN D's conv activations (feature_layout.h), D in eval mode
//   random-init    the same D architecture with fresh DCGAN initialisation from --seed
//   raw-pixels     the image itself, x = v / 127.5 - 1, flattened (C, H, W)
// Images are read from our HDF5 pyramid at D's resolution (raw pixels: --resolution or the
// largest level) and must have D's channel count. The extraction runs on LibTorch (CPU or
// CUDA) in the module libgankit_eval_torch.so; this header stays torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "feature_layout.h"
#include "progress.h"

namespace gankit {

enum class FeatureKind { Discriminator, RandomInit, RawPixels };
// BatchNorm statistics of D: re-estimated over the first split (DCGAN's official code: the
// running averages a GAN D keeps during training mix real and generated minibatches), or the
// checkpoint's running averages (estimated anyway when the checkpoint has none, e.g. step 0).
enum class BnStatistics { Data, Checkpoint };

inline const char* to_string(FeatureKind kind) {
  return kind == FeatureKind::Discriminator ? "discriminator"
         : kind == FeatureKind::RandomInit  ? "random-init"
                                            : "raw-pixels";
}

struct FeatureSplitInput {
  std::string name;            // "train", "test", ...
  std::filesystem::path path;  // our HDF5 pyramid
};

struct FeatureJob {
  FeatureKind kind = FeatureKind::Discriminator;
  std::filesystem::path checkpoint;       // run folder or checkpoint file (not for raw pixels)
  std::vector<FeatureSplitInput> splits;  // the first one estimates BatchNorm statistics
  std::filesystem::path out;
  std::vector<int> layers;  // empty = every conv layer
  int pool = 4;
  int resolution = 0;  // raw pixels: level to read (0 = largest); D: must equal D's (0 = D's)
  BnStatistics bn = BnStatistics::Data;
  int64_t bn_images = 0;  // images of the first split for the estimate (0 = all)
  int batch = 256;
  uint64_t seed = 1;  // random-init weights
  std::string device = "cpu";
  int threads = 0;
  bool overwrite = false;
  ProgressOptions progress;
};

struct FeatureJobSummary {
  FeatureKind kind = FeatureKind::Discriminator;
  int resolution = 0;
  int channels = 0;
  FeatureLayout layout;  // raw pixels: empty layers, dims = C * R * R
  std::vector<std::pair<std::string, int64_t>> split_counts;
  std::string bn_statistics;  // how D's BatchNorm statistics were obtained ("-" without BatchNorm)
  double seconds = 0;
};

// BatchNorm statistics are estimated over minibatches of this many images, as DCGAN's SVHN code.
constexpr int kBnEstimateBatch = 128;

// Runs the job. Throws Error naming the bad input: missing split file or level, channel
// mismatch, a checkpoint that is not gankit's, an existing output without `overwrite`.
FeatureJobSummary extract_features(const FeatureJob& job);

}  // namespace gankit
