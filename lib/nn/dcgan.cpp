#include "dcgan.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include <cmath>

namespace gankit {

namespace nn = torch::nn;

namespace {

int up_layers(int resolution) { return static_cast<int>(std::lround(std::log2(resolution))) - 2; }

}  // namespace

DcganShape DcganShape::of(const TrainConfig& c) {
  return {c.resolution, c.channels, c.z_dim, c.ngf, c.ndf, c.arch, c.d_norm};
}

DcganGeneratorImpl::DcganGeneratorImpl(const DcganShape& shape) : shape_(shape) {
  const int k = up_layers(shape.resolution);
  const bool selu = shape.arch == GanArch::DcganSelu;
  net_ = nn::Sequential();
  int in = shape.z_dim;
  for (int i = 0; i < k; ++i) {
    const int out = shape.ngf << (k - 1 - i);
    auto opts = nn::ConvTranspose2dOptions(in, out, 4).stride(i == 0 ? 1 : 2).padding(i == 0 ? 0 : 1).bias(selu);
    net_->push_back(nn::ConvTranspose2d(opts));
    if (selu) {
      net_->push_back(nn::SELU());
    } else {
      net_->push_back(nn::BatchNorm2d(out));
      net_->push_back(nn::ReLU());
    }
    in = out;
  }
  net_->push_back(
      nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, shape.channels, 4).stride(2).padding(1).bias(true)));
  net_->push_back(nn::Tanh());
  register_module("net", net_);
}

torch::Tensor DcganGeneratorImpl::forward(torch::Tensor z) {
  if (z.dim() == 2) z = z.view({z.size(0), z.size(1), 1, 1});
  return net_->forward(z);
}

DcganDiscriminatorImpl::DcganDiscriminatorImpl(const DcganShape& shape) : shape_(shape) {
  const int k = up_layers(shape.resolution);
  const bool selu = shape.arch == GanArch::DcganSelu;
  blocks_ = nn::ModuleList();
  int in = shape.channels;
  for (int i = 0; i < k; ++i) {
    const int out = shape.ndf << i;
    const bool norm = !selu && i > 0 && shape.d_norm != NormKind::None;  // never on the input block
    nn::Sequential block;
    block->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(2).padding(1).bias(!norm)));
    if (norm && shape.d_norm == NormKind::Batch) block->push_back(nn::BatchNorm2d(out));
    if (norm && shape.d_norm == NormKind::Layer) block->push_back(nn::GroupNorm(nn::GroupNormOptions(1, out)));
    if (selu)
      block->push_back(nn::SELU());
    else
      block->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)));
    blocks_->push_back(block);
    in = out;
  }
  head_ = nn::Conv2d(nn::Conv2dOptions(in, 1, 4).stride(1).padding(0).bias(true));
  register_module("blocks", blocks_);
  register_module("head", head_);
}

std::vector<torch::Tensor> DcganDiscriminatorImpl::features(torch::Tensor x) {
  std::vector<torch::Tensor> out;
  for (const auto& block : *blocks_) {
    x = block->as<nn::Sequential>()->forward(x);
    out.push_back(x);
  }
  return out;
}

torch::Tensor DcganDiscriminatorImpl::forward(torch::Tensor x) {
  for (const auto& block : *blocks_) x = block->as<nn::Sequential>()->forward(x);
  return head_->forward(x).view({-1});
}

void init_dcgan_weights(nn::Module& module, GanArch arch) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    auto init_conv = [&](torch::Tensor& w, torch::Tensor& b, double fan_in) {
      if (arch == GanArch::DcganSelu)
        w.normal_(0.0, 1.0 / std::sqrt(fan_in));
      else
        w.normal_(0.0, 0.02);
      if (b.defined()) b.zero_();
    };
    if (auto* c = m->as<nn::Conv2d>()) {
      const auto& o = c->options;
      init_conv(c->weight, c->bias,
                static_cast<double>(o.in_channels()) * o.kernel_size()->at(0) * o.kernel_size()->at(1));
    } else if (auto* t = m->as<nn::ConvTranspose2d>()) {
      // Each output pixel of a stride-s transposed conv sums in * k * k / s^2 inputs.
      const auto& o = t->options;
      const double s = static_cast<double>(o.stride()->at(0));
      init_conv(t->weight, t->bias,
                static_cast<double>(o.in_channels()) * o.kernel_size()->at(0) * o.kernel_size()->at(1) / (s * s));
    } else if (auto* bn = m->as<nn::BatchNorm2d>()) {
      bn->weight.normal_(1.0, 0.02);
      bn->bias.zero_();
    } else if (auto* gn = m->as<nn::GroupNorm>()) {
      gn->weight.normal_(1.0, 0.02);
      gn->bias.zero_();
    }
  }
}

}  // namespace gankit
