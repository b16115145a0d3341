#include "discriminator_features.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/torch.h>

namespace gankit {

FeatureLayout feature_layout(const DcganShape& shape, const std::vector<int>& layers, int pool) {
  return feature_layout(shape.resolution, shape.ndf, layers, pool);
}

torch::Tensor discriminator_features(DcganDiscriminator& d, const torch::Tensor& x, const FeatureLayout& layout) {
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> acts = d->features(x);
  std::vector<torch::Tensor> parts;
  for (const FeatureLayer& l : layout.layers) {
    const torch::Tensor& a = acts.at(static_cast<size_t>(l.index));
    // size is a multiple of pooled (both powers of two): adaptive pooling = windows of size/pooled.
    const torch::Tensor p = l.pooled == l.size ? a : std::get<0>(torch::adaptive_max_pool2d(a, {l.pooled, l.pooled}));
    parts.push_back(p.reshape({x.size(0), l.dims}));
  }
  return torch::cat(parts, 1);
}

bool has_batchnorm(DcganDiscriminator& d) {
  for (auto& m : d->modules(false))
    if (m->as<torch::nn::BatchNorm2d>()) return true;
  return false;
}

int64_t estimate_batchnorm_statistics(DcganDiscriminator& d, const std::function<torch::Tensor()>& next_batch) {
  std::vector<torch::nn::BatchNorm2dImpl*> bns;
  for (auto& m : d->modules(false))
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) bns.push_back(bn);
  if (bns.empty()) {
    d->eval();
    return 0;
  }
  std::vector<c10::optional<double>> momenta;
  for (auto* bn : bns) {
    momenta.push_back(bn->options.momentum());
    bn->reset_running_stats();
    bn->options.momentum(c10::nullopt);  // cumulative average: every minibatch weighs the same
  }
  torch::NoGradGuard no_grad;
  d->train();
  int64_t batches = 0;
  for (torch::Tensor x = next_batch(); x.defined(); x = next_batch()) {
    d->features(x);
    ++batches;
  }
  for (size_t i = 0; i < bns.size(); ++i) bns[i]->options.momentum(momenta[i]);
  d->eval();
  return batches;
}

}  // namespace gankit
