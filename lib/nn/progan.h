// The Progressive GAN networks (Karras et al. 2018; spec TRAINING.md, ProGAN paragraph) and
// their building blocks, as the official code defines them.
//
// Level L works on (4 * 2^L)^2 images: level 0 is 4x4. Feature maps of a layer at resolution
// 2^r: nf(r - 1) with nf(s) = min(fmap_base / 2^s, fmap_max).
// G: z (N, z_dim) float ~ N(0, I), normalised to the hypersphere (pixel norm) -> images
//    (N, C, R, R) float, linear output (no tanh), data range [-1, 1], channel order of the data.
//    Level 0: dense to nf(1) x 4 x 4 (gain sqrt(2)/4), conv 3x3; level L: nearest-neighbour 2x
//    upsampling, two conv 3x3. LeakyReLU 0.2 and pixel norm after every conv; toRGB = 1x1 conv
//    (gain 1) per level.
// D: images (N, C, R, R) in [-1, 1] -> (N) critic values. fromRGB = 1x1 conv + LeakyReLU per
//    level; level L: two conv 3x3 then 2x2 average pooling; level 0: minibatch stddev (group
//    4), conv 3x3, dense to nf(0), dense to 1.
// Fading in level L with alpha in [0, 1]: G's output is (1 - alpha) * upsample(toRGB_{L-1}) +
// alpha * toRGB_L; D's level-(L-1) input is (1 - alpha) * fromRGB_{L-1}(avgpool(x)) + alpha *
// block_L(fromRGB_L(x)). alpha = 1 is the grown network; alpha = 0 the previous one.
// Every weight is drawn N(0, 1) and scaled at run time by gain / sqrt(fan_in) (equalised
// learning rate, gain sqrt(2) unless stated); biases start at 0.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace gankit {

struct ProganShape {
  int resolution = 32;  // the largest level: a power of two, 8 .. 1024
  int channels = 3;
  int z_dim = 512;
  int fmap_base = 8192;
  int fmap_max = 512;
  int levels() const;       // number of levels: log2(resolution) - 1
  int nf(int stage) const;  // min(fmap_base / 2^stage, fmap_max), at least 1
  // Throws Error(Usage) naming a resolution that is not a power of two in 8 .. 1024, or fmaps < 1.
  void validate() const;
};

// x * rsqrt(mean over channels of x^2 + eps): (N, C, ...) -> same shape.
torch::Tensor pixel_norm(const torch::Tensor& x, double eps = 1e-8);

// Appends one feature map: the standard deviation of each feature over groups of `group`
// samples (samples m, m + N/G, m + 2N/G, ...; G = min(group, N), N must be a multiple of G),
// averaged over channels and pixels, as the official code. (N, C, H, W) -> (N, C + 1, H, W).
torch::Tensor minibatch_stddev(const torch::Tensor& x, int group = 4);

// 2x nearest-neighbour upsampling and 2x2 average pooling of (N, C, H, W).
torch::Tensor upsample2x(const torch::Tensor& x);
torch::Tensor downsample2x(const torch::Tensor& x);

// A conv (k x k, stride 1, "same" padding) with equalised learning rate.
class EqualizedConv2dImpl : public torch::nn::Module {
 public:
  EqualizedConv2dImpl(int in, int out, int kernel, double gain = std::sqrt(2.0));
  torch::Tensor forward(const torch::Tensor& x);
  double scale() const { return scale_; }
  torch::Tensor weight, bias;

 private:
  double scale_;
  int padding_;
};
TORCH_MODULE(EqualizedConv2d);

// A dense layer with equalised learning rate: (N, in) -> (N, out).
class EqualizedLinearImpl : public torch::nn::Module {
 public:
  EqualizedLinearImpl(int in, int out, double gain = std::sqrt(2.0));
  torch::Tensor forward(const torch::Tensor& x);
  double scale() const { return scale_; }
  torch::Tensor weight, bias;

 private:
  double scale_;
};
TORCH_MODULE(EqualizedLinear);

class ProganGeneratorImpl : public torch::nn::Module {
 public:
  explicit ProganGeneratorImpl(const ProganShape& shape);
  // Images of level `level` (0 .. levels()-1), fading it in with `alpha`.
  torch::Tensor forward(const torch::Tensor& z, int level, double alpha = 1.0);
  const ProganShape& shape() const { return shape_; }

 private:
  torch::Tensor block(int level, torch::Tensor x);
  ProganShape shape_;
  EqualizedLinear dense_{nullptr};
  torch::nn::ModuleList convs_{nullptr};  // level 0: 1 conv; level L: 2 convs (2L - 1, 2L)
  torch::nn::ModuleList to_rgb_{nullptr};
};
TORCH_MODULE(ProganGenerator);

class ProganDiscriminatorImpl : public torch::nn::Module {
 public:
  explicit ProganDiscriminatorImpl(const ProganShape& shape);
  // Critic values of level-`level` images (N, C, 4 * 2^level, same), fading the level in with alpha.
  torch::Tensor forward(const torch::Tensor& x, int level, double alpha = 1.0);
  const ProganShape& shape() const { return shape_; }

 private:
  torch::Tensor from_rgb(int level, const torch::Tensor& x);
  torch::Tensor block(int level, torch::Tensor x);  // level >= 1: two convs and pooling
  ProganShape shape_;
  torch::nn::ModuleList from_rgb_{nullptr};
  torch::nn::ModuleList convs_{nullptr};  // level L >= 1: convs 2L - 2, 2L - 1
  EqualizedConv2d final_conv_{nullptr};
  EqualizedLinear final_dense_{nullptr}, out_{nullptr};
};
TORCH_MODULE(ProganDiscriminator);

// The generator average used for samples: every parameter and buffer of `average` becomes
// beta * average + (1 - beta) * current (beta 0.999 in the official code).
void update_moving_average(torch::nn::Module& average, const torch::nn::Module& current, double beta);

// The fade-in blend of real images for level `level` (> 0): (1 - alpha) * upsample(avgpool(x))
// + alpha * x, so D sees reals the way G's faded output is made.
torch::Tensor fade_real_images(const torch::Tensor& x, double alpha);

}  // namespace gankit
