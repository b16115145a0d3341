// The Progressive GAN building blocks (lib/nn/progan.h) against hand-computed values (equalised
// learning rate, pixel norm, minibatch stddev), the fade-in (at alpha 0 the grown networks are the
// previous ones, at alpha 1 the new ones) and the generator's moving average.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "error.h"
#include "generate.h"
#include "progan.h"

namespace gankit {
namespace {

TEST(Progan, EqualizedLayersScaleByTheHeConstantAtRunTime) {
  torch::manual_seed(1);
  EqualizedConv2d conv(2, 1, 3);
  EXPECT_DOUBLE_EQ(conv->scale(), std::sqrt(2.0) / std::sqrt(18.0));  // gain sqrt 2 / sqrt(fan_in 2 * 3 * 3)
  EqualizedConv2d big(64, 64, 3);
  EXPECT_NEAR(big->weight.std().item<double>(), 1.0, 0.02);  // stored N(0, 1)
  EXPECT_EQ(big->bias.abs().sum().item<double>(), 0.0);
  torch::NoGradGuard no_grad;
  conv->weight.fill_(1.0f);
  conv->bias.fill_(0.5f);
  const torch::Tensor y = conv->forward(torch::ones({1, 2, 5, 5}));
  EXPECT_FLOAT_EQ(y[0][0][2][2].item<float>(), 18.0f / 3.0f + 0.5f);  // 18 taps x 1/3
  EXPECT_FLOAT_EQ(y[0][0][0][0].item<float>(), 8.0f / 3.0f + 0.5f);   // corner: 2 x 2 x 2 taps inside
  EqualizedLinear dense(8, 2);
  dense->weight.fill_(1.0f);
  dense->bias.fill_(-1.0f);
  const torch::Tensor d = dense->forward(torch::ones({3, 8}));
  EXPECT_FLOAT_EQ(d[2][1].item<float>(), 8.0f * std::sqrt(2.0f) / std::sqrt(8.0f) - 1.0f);  // 4 - 1
  EqualizedLinear rgb(8, 2, 1.0);
  EXPECT_DOUBLE_EQ(rgb->scale(), 1.0 / std::sqrt(8.0));
}

TEST(Progan, PixelNormNormalisesEachPixelOverChannels) {
  torch::Tensor x = torch::tensor({3.0f, 0.0f, 4.0f, 0.0f}).view({1, 2, 1, 2});  // pixel 0: (3, 4); pixel 1: (0, 0)
  const torch::Tensor y = pixel_norm(x);
  EXPECT_NEAR(y[0][0][0][0].item<float>(), 3.0 / std::sqrt(12.5), 1e-6);
  EXPECT_NEAR(y[0][1][0][0].item<float>(), 4.0 / std::sqrt(12.5), 1e-6);
  EXPECT_EQ(y[0][0][0][1].item<float>(), 0.0f);  // eps keeps zero vectors finite
  const torch::Tensor z = pixel_norm(torch::randn({5, 512}));
  EXPECT_TRUE(torch::allclose(z.pow(2).mean(1), torch::ones({5}), 1e-4, 1e-4));  // on the sqrt(512) sphere
}

TEST(Progan, MinibatchStddevOverStridedGroupsOfFour) {
  // Samples n = 0..7 hold n^2. Groups are {0, 2, 4, 6} and {1, 3, 5, 7} (sample g * 2 + m):
  // {0, 4, 16, 36} has mean 14 and variance 196; {1, 9, 25, 49} mean 21 and variance 336.
  torch::Tensor x = torch::arange(8, torch::kFloat).pow(2).view({8, 1, 1, 1}).repeat({1, 1, 2, 2});
  const torch::Tensor y = minibatch_stddev(x);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{8, 2, 2, 2}));
  EXPECT_TRUE(torch::equal(y.slice(1, 0, 1), x));
  for (int n = 0; n < 8; ++n)
    for (int p = 0; p < 4; ++p)
      EXPECT_NEAR(y[n][1][p / 2][p % 2].item<float>(), n % 2 == 0 ? 14.0 : std::sqrt(336.0), 1e-4) << n;
  // Two channels: the statistic averages over channels (a constant channel adds sqrt(1e-8)).
  torch::Tensor two = torch::cat({x, torch::full({8, 1, 2, 2}, 5.0f)}, 1);
  EXPECT_NEAR(minibatch_stddev(two)[0][2][0][0].item<float>(), (14.0 + 1e-4) / 2, 1e-4);
  // A batch smaller than the group is one group; a batch that does not split is an error.
  EXPECT_NEAR(minibatch_stddev(x.slice(0, 0, 2))[0][1][0][0].item<float>(), 0.5, 1e-4);  // {0, 1}
  EXPECT_THROW(minibatch_stddev(x.slice(0, 0, 6)), Error);
}

ProganShape tiny() { return ProganShape{16, 3, 16, 64, 16}; }

TEST(Progan, ShapesAtEveryLevel) {
  torch::manual_seed(2);
  const ProganShape s = tiny();
  EXPECT_EQ(s.levels(), 3);
  EXPECT_EQ(s.nf(0), 16);
  EXPECT_EQ(s.nf(3), 8);
  ProganGenerator g(s);
  ProganDiscriminator d(s);
  const torch::Tensor z = torch::randn({4, 16});
  for (int level = 0; level < 3; ++level) {
    const torch::Tensor img = g->forward(z, level, 0.5);
    const int r = 4 << level;
    EXPECT_EQ(img.sizes(), (std::vector<int64_t>{4, 3, r, r}));
    EXPECT_EQ(d->forward(img, level, 0.5).sizes(), (std::vector<int64_t>{4}));
  }
  // The paper's feature maps at 1024: 512 up to 64x64 (stage 5), then 256, 128, 64, 32, 16.
  const ProganShape full{1024, 3};
  EXPECT_EQ(full.nf(1), 512);
  EXPECT_EQ(full.nf(4), 512);
  EXPECT_EQ(full.nf(5), 256);
  EXPECT_EQ(full.nf(9), 16);
  const ProganShape odd{48, 3}, small{4, 3};
  EXPECT_THROW(odd.validate(), Error);
  EXPECT_THROW(small.validate(), Error);
}

TEST(Progan, FadeInStartsAtThePreviousNetworkAndEndsAtTheNewOne) {
  torch::manual_seed(3);
  ProganGenerator g(tiny());
  ProganDiscriminator d(tiny());
  torch::NoGradGuard no_grad;
  const torch::Tensor z = torch::randn({4, 16});
  for (int level = 1; level < 3; ++level) {
    const torch::Tensor old_out = g->forward(z, level - 1, 1.0), new_out = g->forward(z, level, 1.0);
    EXPECT_TRUE(torch::allclose(g->forward(z, level, 0.0), upsample2x(old_out), 1e-5, 1e-6)) << level;
    EXPECT_TRUE(torch::allclose(g->forward(z, level, 0.3), 0.7 * upsample2x(old_out) + 0.3 * new_out, 1e-5, 1e-5));
    const torch::Tensor x = torch::rand({4, 3, 4 << level, 4 << level}) * 2 - 1;
    EXPECT_TRUE(torch::allclose(d->forward(x, level, 0.0), d->forward(downsample2x(x), level - 1, 1.0), 1e-5, 1e-5));
  }
  // Reals are blended the same way: alpha 0 gives the upsampled half-resolution image.
  const torch::Tensor x = torch::arange(16, torch::kFloat).view({1, 1, 4, 4});
  const torch::Tensor faded = fade_real_images(x, 0.0);
  EXPECT_FLOAT_EQ(faded[0][0][0][0].item<float>(), (0 + 1 + 4 + 5) / 4.0f);
  EXPECT_FLOAT_EQ(faded[0][0][3][3].item<float>(), (10 + 11 + 14 + 15) / 4.0f);
  EXPECT_TRUE(torch::equal(fade_real_images(x, 1.0), x));
  EXPECT_TRUE(torch::allclose(fade_real_images(x, 0.25), 0.75 * faded + 0.25 * x));
}

TEST(Progan, MovingAverageOfTheGenerator) {
  torch::manual_seed(4);
  ProganGenerator g(tiny()), avg(tiny());
  const auto gp = g->parameters(), ap = avg->parameters();
  std::vector<torch::Tensor> before;
  for (const auto& p : ap) before.push_back(p.detach().clone());
  update_moving_average(*avg, *g, 0.999);
  for (size_t i = 0; i < ap.size(); ++i)
    EXPECT_TRUE(torch::allclose(ap[i], 0.999 * before[i] + 0.001 * gp[i], 1e-6, 1e-7)) << i;
}

}  // namespace
}  // namespace gankit
