// DCGAN discriminator features (eval/discriminator_features.h): pooling and concatenation order
// against a hand-built network computed by plain loops, BatchNorm re-estimation, batch invariance.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "dcgan.h"
#include "discriminator_features.h"
#include "feature_layout.h"

namespace gankit {
namespace {

float lrelu(float v) { return v > 0 ? v : 0.2f * v; }

// A 16x16 gray D with ndf 1 and no normalisation whose convs copy one input pixel:
// block 0: h0(i, j) = lrelu(x(2i, 2j)) (8x8); block 1: map 0 = lrelu(h0(2i, 2j)), map 1 =
// lrelu(0.5 - h0(2i, 2j)) (4x4).
DcganDiscriminator copy_network() {
  torch::manual_seed(0);
  DcganDiscriminator d(DcganShape{16, 1, 16, 1, 1, GanArch::Dcgan, NormKind::None});
  torch::NoGradGuard no_grad;
  auto p = d->named_parameters();
  p["blocks.0.0.weight"].zero_();
  p["blocks.0.0.weight"][0][0][1][1] = 1.0f;  // padding 1: tap (1, 1) reads x(2i, 2j)
  p["blocks.0.0.bias"].zero_();
  p["blocks.1.0.weight"].zero_();
  p["blocks.1.0.weight"][0][0][1][1] = 1.0f;
  p["blocks.1.0.weight"][1][0][1][1] = -1.0f;
  p["blocks.1.0.bias"][0] = 0.0f;
  p["blocks.1.0.bias"][1] = 0.5f;
  d->eval();
  return d;
}

float input_value(int n, int y, int x) { return static_cast<float>(((n * 101 + y * 16 + x) * 37) % 29 - 14) / 14.0f; }

TEST(DiscriminatorFeatures, PoolingAndOrderMatchAHandComputedNetwork) {
  DcganDiscriminator d = copy_network();
  const int n = 2;
  torch::Tensor x = torch::empty({n, 1, 16, 16});
  for (int k = 0; k < n; ++k)
    for (int y = 0; y < 16; ++y)
      for (int c = 0; c < 16; ++c) x[k][0][y][c] = input_value(k, y, c);
  // Expected with pool 2: layer 0 (8x8) max over 4x4 windows; layer 1 (4x4) max over 2x2 windows.
  auto expected = [&](int k, bool reversed) {
    std::vector<float> l0, l1;
    for (int p = 0; p < 2; ++p)
      for (int q = 0; q < 2; ++q) {
        float m = -1e9f;
        for (int i = 4 * p; i < 4 * p + 4; ++i)
          for (int j = 4 * q; j < 4 * q + 4; ++j) m = std::max(m, lrelu(input_value(k, 2 * i, 2 * j)));
        l0.push_back(m);
      }
    for (int map = 0; map < 2; ++map)
      for (int p = 0; p < 2; ++p)
        for (int q = 0; q < 2; ++q) {
          float m = -1e9f;
          for (int i = 2 * p; i < 2 * p + 2; ++i)
            for (int j = 2 * q; j < 2 * q + 2; ++j) {
              const float h0 = lrelu(input_value(k, 4 * i, 4 * j));
              m = std::max(m, map == 0 ? lrelu(h0) : lrelu(0.5f - h0));
            }
          l1.push_back(m);
        }
    std::vector<float> out = reversed ? l1 : l0;
    const auto& tail = reversed ? l0 : l1;
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
  };
  for (bool reversed : {false, true}) {
    const FeatureLayout layout = feature_layout(d->shape(), reversed ? std::vector<int>{1, 0} : std::vector<int>{}, 2);
    ASSERT_EQ(layout.dims, 4 + 8);
    const torch::Tensor f = discriminator_features(d, x, layout);
    ASSERT_EQ(f.sizes(), (std::vector<int64_t>{n, 12}));
    for (int k = 0; k < n; ++k) {
      const std::vector<float> want = expected(k, reversed);
      for (int j = 0; j < 12; ++j) EXPECT_FLOAT_EQ(f[k][j].item<float>(), want[j]) << "image " << k << " feature " << j;
    }
  }
  // Pool 4 keeps the 4x4 layer whole: its 2 maps x 16 values in (map, row, column) order.
  const torch::Tensor f4 = discriminator_features(d, x, feature_layout(d->shape(), {1}, 4));
  ASSERT_EQ(f4.size(1), 32);
  EXPECT_FLOAT_EQ(f4[1][16 + 4 * 2 + 3].item<float>(), lrelu(0.5f - lrelu(input_value(1, 8, 12))));
}

TEST(DiscriminatorFeatures, BatchNormStatisticsAreTheAverageOfMinibatchStatistics) {
  torch::manual_seed(3);
  DcganDiscriminator d(DcganShape{16, 1, 16, 2, 2, GanArch::Dcgan, NormKind::Batch});
  init_dcgan_weights(*d, GanArch::Dcgan);
  ASSERT_TRUE(has_batchnorm(d));
  const torch::Tensor a = torch::rand({5, 1, 16, 16}) * 2 - 1, b = torch::rand({3, 1, 16, 16}) * 2 - 1;
  std::vector<torch::Tensor> batches = {a, b};
  size_t next = 0;
  const int64_t used = estimate_batchnorm_statistics(
      d, [&]() -> torch::Tensor { return next < batches.size() ? batches[next++] : torch::Tensor(); });
  EXPECT_EQ(used, 2);
  EXPECT_FALSE(d->is_training());
  auto modules = d->named_modules();
  auto* conv1 = modules["blocks.1.0"]->as<torch::nn::Conv2d>();
  auto* conv0 = modules["blocks.0.0"]->as<torch::nn::Conv2d>();
  auto* bn = modules["blocks.1.1"]->as<torch::nn::BatchNorm2d>();
  ASSERT_TRUE(conv0 && conv1 && bn);
  EXPECT_DOUBLE_EQ(bn->options.momentum().value(), 0.1);  // restored for any later training
  torch::NoGradGuard no_grad;
  auto pre_bn = [&](const torch::Tensor& x) {
    return conv1->forward(torch::leaky_relu(conv0->forward(x), 0.2))
        .transpose(0, 1)
        .reshape({4, -1});  // block 1: ndf * 2 = 4 maps
  };
  const torch::Tensor ca = pre_bn(a), cb = pre_bn(b);
  const torch::Tensor mean = (ca.mean(1) + cb.mean(1)) / 2;
  const torch::Tensor var = (ca.var(1, /*unbiased=*/true) + cb.var(1, true)) / 2;
  EXPECT_TRUE(torch::allclose(bn->running_mean, mean, 1e-5, 1e-6)) << bn->running_mean << mean;
  EXPECT_TRUE(torch::allclose(bn->running_var, var, 1e-5, 1e-6)) << bn->running_var << var;
}

TEST(DiscriminatorFeatures, DoNotDependOnTheBatching) {
  torch::manual_seed(5);
  DcganDiscriminator d(DcganShape{32, 3, 16, 8, 8, GanArch::Dcgan, NormKind::Batch});
  init_dcgan_weights(*d, GanArch::Dcgan);
  d->eval();
  const torch::Tensor x = torch::rand({10, 3, 32, 32}) * 2 - 1;
  const FeatureLayout layout = feature_layout(d->shape(), {}, 4);
  EXPECT_EQ(layout.dims, 8 * 16 * 7);
  const torch::Tensor whole = discriminator_features(d, x, layout);
  const torch::Tensor parts = torch::cat(
      {discriminator_features(d, x.slice(0, 0, 3), layout), discriminator_features(d, x.slice(0, 3, 10), layout)});
  EXPECT_TRUE(torch::allclose(whole, parts, 1e-5, 1e-6));
}
}  // namespace
}  // namespace gankit
