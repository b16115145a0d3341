// The DCGAN generator and discriminator (Radford et al. 2016), for 32x32, 64x64 and 128x128.
//
// Generator G: z (N, z_dim) or (N, z_dim, 1, 1), float, N(0, 1) -> images (N, C, R, R) float
// in [-1, 1] (tanh), same channel order as the data (RGB or gray). A 4x4 transposed conv
// projects z to ngf * 2^(k-1) maps at 4x4 (k = log2(R) - 2); k-1 stride-2 transposed convs halve
// the maps while doubling the size; a last one maps ngf to C at R x R. ReLU + BatchNorm after
// every layer except the output (tanh).
// Discriminator D: images (N, C, R, R) in [-1, 1] -> (N) float: a logit (gan), a critic value
// (wgan, wgan-gp) or a score (lsgan); never a sigmoid. Mirror of G: stride-2 4x4 convs
// ndf -> ndf * 2^(k-1) down to 4x4, LeakyReLU 0.2, normalisation on all but the first block
// (BatchNorm, or for a gradient penalty layer norm = GroupNorm with one group, which normalises
// each sample over (C, H, W) with per-channel gain and offset, as WGAN-GP's code does); a last
// 4x4 valid conv gives one value.
// dcgan-selu: the same shapes with SELU and no normalisation in G and D.
// Initialisation: DCGAN's N(0, 0.02) for convs, N(1, 0.02) for norm gains, zero biases; the
// SELU variant uses LeCun normal (std 1 / sqrt(fan_in)), which self-normalisation needs.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "train_config.h"

namespace gankit {

struct DcganShape {
  int resolution = 32;
  int channels = 3;
  int z_dim = 100;
  int ngf = 64, ndf = 64;
  GanArch arch = GanArch::Dcgan;
  NormKind d_norm = NormKind::Batch;
  static DcganShape of(const TrainConfig& c);
};

class DcganGeneratorImpl : public torch::nn::Module {
 public:
  explicit DcganGeneratorImpl(const DcganShape& shape);
  torch::Tensor forward(torch::Tensor z);
  const DcganShape& shape() const { return shape_; }

 private:
  DcganShape shape_;
  torch::nn::Sequential net_{nullptr};
};
TORCH_MODULE(DcganGenerator);

class DcganDiscriminatorImpl : public torch::nn::Module {
 public:
  explicit DcganDiscriminatorImpl(const DcganShape& shape);
  torch::Tensor forward(torch::Tensor x);
  // Activations of every conv block after its nonlinearity, input side first:
  // (N, ndf * 2^i, R / 2^(i+1), R / 2^(i+1)) for i = 0 .. k-1 (DCGAN's feature extractor).
  std::vector<torch::Tensor> features(torch::Tensor x);
  const DcganShape& shape() const { return shape_; }

 private:
  DcganShape shape_;
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::Conv2d head_{nullptr};
};
TORCH_MODULE(DcganDiscriminator);

// Initialises `module`'s conv and normalisation parameters as described above, drawing from
// torch's default generator (seeded by the caller).
void init_dcgan_weights(torch::nn::Module& module, GanArch arch);

}  // namespace gankit
