#include "progan.h"

#include <torch/torch.h>

#include <cmath>

#include "error.h"

namespace gankit {

namespace {
torch::Tensor lrelu(const torch::Tensor& x) { return torch::leaky_relu(x, 0.2); }
}  // namespace

int ProganShape::levels() const { return static_cast<int>(std::lround(std::log2(resolution))) - 1; }

int ProganShape::nf(int stage) const { return std::max(1, std::min(fmap_base >> stage, fmap_max)); }

void ProganShape::validate() const {
  GANKIT_CHECK_USAGE(resolution >= 8 && resolution <= 1024 && (resolution & (resolution - 1)) == 0,
                     GANKIT_SETTING("resolution") " {}: progressive growing needs a power of two from 8 to 1024",
                     resolution);
  GANKIT_CHECK_USAGE(fmap_base >= 1 && fmap_max >= 1,
                     GANKIT_SETTING("fmap_base") " {} and " GANKIT_SETTING("fmap_max") " {} must be positive",
                     fmap_base, fmap_max);
  GANKIT_CHECK_USAGE(channels == 1 || channels == 3, "channels {} must be 1 or 3", channels);
  GANKIT_CHECK_USAGE(z_dim >= 1, GANKIT_SETTING("z_dim") " {} must be positive", z_dim);
}

torch::Tensor pixel_norm(const torch::Tensor& x, double eps) {
  return x * torch::rsqrt(x.pow(2).mean(1, /*keepdim=*/true) + eps);
}

torch::Tensor minibatch_stddev(const torch::Tensor& x, int group) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t g = std::min<int64_t>(group, n);
  GANKIT_CHECK_USAGE(n % g == 0, "minibatch {} is not a multiple of the stddev group {}", n, g);
  torch::Tensor y = x.reshape({g, n / g, c, h, w});
  y = y - y.mean(0, true);
  y = torch::sqrt(y.pow(2).mean(0) + 1e-8);         // (M, C, H, W)
  y = y.mean({1, 2, 3}).reshape({n / g, 1, 1, 1});  // (M, 1, 1, 1)
  y = y.repeat({g, 1, h, w});                       // sample g * M + m gets group m's value
  return torch::cat({x, y}, 1);
}

torch::Tensor upsample2x(const torch::Tensor& x) { return x.repeat_interleave(2, 2).repeat_interleave(2, 3); }

torch::Tensor downsample2x(const torch::Tensor& x) { return torch::avg_pool2d(x, {2, 2}); }

void update_moving_average(torch::nn::Module& average, const torch::nn::Module& current, double beta) {
  torch::NoGradGuard no_grad;
  const auto a = average.parameters(), c = current.parameters();
  GANKIT_CHECK(a.size() == c.size(), Internal, "moving average over {} and {} parameters", a.size(), c.size());
  for (size_t i = 0; i < a.size(); ++i) a[i].lerp_(c[i], 1.0 - beta);
  const auto ab = average.buffers(), cb = current.buffers();
  for (size_t i = 0; i < ab.size() && i < cb.size(); ++i) ab[i].copy_(cb[i]);
}

torch::Tensor fade_real_images(const torch::Tensor& x, double alpha) {
  if (alpha >= 1.0) return x;
  return torch::lerp(upsample2x(downsample2x(x)), x, alpha);
}

EqualizedConv2dImpl::EqualizedConv2dImpl(int in, int out, int kernel, double gain)
    : scale_(gain / std::sqrt(static_cast<double>(in) * kernel * kernel)), padding_(kernel / 2) {
  weight = register_parameter("weight", torch::randn({out, in, kernel, kernel}));
  bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor EqualizedConv2dImpl::forward(const torch::Tensor& x) {
  return torch::conv2d(x, weight * scale_, bias, 1, padding_);
}

EqualizedLinearImpl::EqualizedLinearImpl(int in, int out, double gain)
    : scale_(gain / std::sqrt(static_cast<double>(in))) {
  weight = register_parameter("weight", torch::randn({out, in}));
  bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor EqualizedLinearImpl::forward(const torch::Tensor& x) { return torch::linear(x, weight * scale_, bias); }

// ---------------------------------------------------------------------------------------------
ProganGeneratorImpl::ProganGeneratorImpl(const ProganShape& shape) : shape_(shape) {
  shape_.validate();
  const int levels = shape.levels();
  dense_ = register_module("dense", EqualizedLinear(shape.z_dim, shape.nf(1) * 16, std::sqrt(2.0) / 4));
  convs_ = torch::nn::ModuleList();
  to_rgb_ = torch::nn::ModuleList();
  convs_->push_back(EqualizedConv2d(shape.nf(1), shape.nf(1), 3));
  to_rgb_->push_back(EqualizedConv2d(shape.nf(1), shape.channels, 1, 1.0));
  for (int l = 1; l < levels; ++l) {
    convs_->push_back(EqualizedConv2d(shape.nf(l), shape.nf(l + 1), 3));
    convs_->push_back(EqualizedConv2d(shape.nf(l + 1), shape.nf(l + 1), 3));
    to_rgb_->push_back(EqualizedConv2d(shape.nf(l + 1), shape.channels, 1, 1.0));
  }
  register_module("convs", convs_);
  register_module("to_rgb", to_rgb_);
}

torch::Tensor ProganGeneratorImpl::block(int level, torch::Tensor x) {
  auto conv = [&](int i, const torch::Tensor& t) {
    return pixel_norm(lrelu(convs_[i]->as<EqualizedConv2d>()->forward(t)));
  };
  if (level == 0) {
    x = dense_->forward(pixel_norm(x)).view({x.size(0), shape_.nf(1), 4, 4});
    return conv(0, pixel_norm(lrelu(x)));
  }
  x = upsample2x(x);
  return conv(2 * level, conv(2 * level - 1, x));
}

torch::Tensor ProganGeneratorImpl::forward(const torch::Tensor& z, int level, double alpha) {
  GANKIT_CHECK(level >= 0 && level < shape_.levels(), Internal, "generator level {} of {}", level, shape_.levels());
  torch::Tensor x = block(0, z), prev;
  for (int l = 1; l <= level; ++l) {
    prev = x;
    x = block(l, x);
  }
  torch::Tensor out = to_rgb_[level]->as<EqualizedConv2d>()->forward(x);
  if (level > 0 && alpha < 1.0)
    out = torch::lerp(upsample2x(to_rgb_[level - 1]->as<EqualizedConv2d>()->forward(prev)), out, alpha);
  return out;
}

// ---------------------------------------------------------------------------------------------
ProganDiscriminatorImpl::ProganDiscriminatorImpl(const ProganShape& shape) : shape_(shape) {
  shape_.validate();
  const int levels = shape.levels();
  from_rgb_ = torch::nn::ModuleList();
  convs_ = torch::nn::ModuleList();
  for (int l = 0; l < levels; ++l) from_rgb_->push_back(EqualizedConv2d(shape.channels, shape.nf(l + 1), 1));
  for (int l = 1; l < levels; ++l) {
    convs_->push_back(EqualizedConv2d(shape.nf(l + 1), shape.nf(l + 1), 3));
    convs_->push_back(EqualizedConv2d(shape.nf(l + 1), shape.nf(l), 3));
  }
  register_module("from_rgb", from_rgb_);
  register_module("convs", convs_);
  final_conv_ = register_module("final_conv", EqualizedConv2d(shape.nf(1) + 1, shape.nf(1), 3));
  final_dense_ = register_module("final_dense", EqualizedLinear(shape.nf(1) * 16, shape.nf(0)));
  out_ = register_module("out", EqualizedLinear(shape.nf(0), 1, 1.0));
}

torch::Tensor ProganDiscriminatorImpl::from_rgb(int level, const torch::Tensor& x) {
  return lrelu(from_rgb_[level]->as<EqualizedConv2d>()->forward(x));
}

torch::Tensor ProganDiscriminatorImpl::block(int level, torch::Tensor x) {
  x = lrelu(convs_[2 * level - 2]->as<EqualizedConv2d>()->forward(x));
  x = lrelu(convs_[2 * level - 1]->as<EqualizedConv2d>()->forward(x));
  return downsample2x(x);
}

torch::Tensor ProganDiscriminatorImpl::forward(const torch::Tensor& img, int level, double alpha) {
  GANKIT_CHECK(level >= 0 && level < shape_.levels(), Internal, "discriminator level {} of {}", level, shape_.levels());
  torch::Tensor x = from_rgb(level, img);
  if (level > 0) {
    x = block(level, x);
    if (alpha < 1.0) x = torch::lerp(from_rgb(level - 1, downsample2x(img)), x, alpha);
    for (int l = level - 1; l >= 1; --l) x = block(l, x);
  }
  x = lrelu(final_conv_->forward(minibatch_stddev(x)));
  x = lrelu(final_dense_->forward(x.flatten(1)));
  return out_->forward(x).view({-1});
}

}  // namespace gankit
