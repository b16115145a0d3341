// Every weight and buffer of a checkpoint, by name: what the exact-resume and data-parallel tests
// compare between two runs.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <map>
#include <string>

namespace gankit::test {

// "G.<name>", "D.<name>" (parameters and buffers) and, for ProGAN, "G_ema.<name>" of the
// checkpoint's networks, loaded on the CPU.
std::map<std::string, torch::Tensor> checkpoint_weights(const std::filesystem::path& ckpt);

}  // namespace gankit::test
