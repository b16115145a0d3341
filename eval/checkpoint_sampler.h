// Sampling a gan-train checkpoint from gan-eval: the images `gan-train sample` would write for
// the same checkpoint, seed and resolution (image i depends only on the seed and i), with the
// checkpoint's training position. Runs in the LibTorch module (libgankit_eval_torch.so), loaded
// on first use; torch stays out of this header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "image_batch.h"

namespace gankit {

struct SampleRequest {
  std::filesystem::path checkpoint;  // a checkpoint .pt file
  int64_t num = 0;
  uint64_t seed = 1;
  int resolution = 0;  // progan: an earlier level the run grew through (0 = where it is)
  std::string device = "cpu";
  int batch = 256;  // memory only
  int threads = 0;  // CPU threads of LibTorch (0 = all cores)
};

struct CheckpointSamples {
  ImageBatch images;   // uint8 (num, C, R, R), the generator's channels (1 or 3)
  int64_t step = 0;    // generator steps
  double kimg = 0;     // thousands of real images shown to D
  double seconds = 0;  // training time
  int resolution = 0;
};

// Throws Error(Data) naming the file for a missing, corrupt or truncated checkpoint.
CheckpointSamples sample_checkpoint(const SampleRequest& request);

}  // namespace gankit
