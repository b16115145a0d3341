// DCGAN's discriminator feature extractor (Radford et al. 2016, section 5.1) on LibTorch: the
// pooled, concatenated conv-block activations that feature_layout.h describes, and the
// re-estimation of D's BatchNorm population statistics over the data.
#pragma once

#include <torch/types.h>

#include <functional>
#include <vector>

#include "dcgan.h"
#include "feature_layout.h"

namespace gankit {

// The layout of this D's features (see feature_layout.h).
FeatureLayout feature_layout(const DcganShape& shape, const std::vector<int>& layers, int pool);

// Images (N, C, R, R) float in [-1, 1] on D's device -> features (N, layout.dims) float, layers
// in the order of layout.layers. D is used as it is (call eval() for population statistics).
torch::Tensor discriminator_features(DcganDiscriminator& d, const torch::Tensor& x, const FeatureLayout& layout);

// Re-estimates every BatchNorm layer's population statistics the way DCGAN's official SVHN
// script does: each layer's mean and variance averaged over minibatches of the data, with the
// layers upstream normalised by their minibatch statistics (one pass, D in training mode with
// cumulative averaging). `next_batch` returns (B, C, R, R) float images on D's device, an
// undefined tensor when the data is exhausted. D is left in eval mode. Returns the number of
// minibatches used (0 when D has no BatchNorm layer: nothing to estimate, no pass is made).
int64_t estimate_batchnorm_statistics(DcganDiscriminator& d, const std::function<torch::Tensor()>& next_batch);

// True when D has BatchNorm layers.
bool has_batchnorm(DcganDiscriminator& d);

}  // namespace gankit
