#include "checkpoint_weights.h"

#include "gan_models.h"

namespace gankit::test {

std::map<std::string, torch::Tensor> checkpoint_weights(const std::filesystem::path& ckpt) {
  LoadedModels m = load_models(ckpt, torch::kCPU);
  std::map<std::string, torch::Tensor> out;
  for (torch::nn::Module* mod : {&m.models.generator(), &m.models.discriminator()}) {
    const std::string side = mod == &m.models.generator() ? "G." : "D.";
    for (const auto& item : mod->named_parameters()) out[side + item.key()] = item.value();
    for (const auto& item : mod->named_buffers()) out[side + item.key()] = item.value();
  }
  if (m.models.pg_ema)
    for (const auto& item : m.models.pg_ema->named_parameters()) out["G_ema." + item.key()] = item.value();
  return out;
}

}  // namespace gankit::test
