// The DCGAN-family networks (lib/nn/dcgan.h).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "dcgan.h"
#include "generate.h"
#include "train_config.h"

namespace gankit {
namespace {

int64_t count_params(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST(Dcgan, ShapesAndRangeAtEveryResolution) {
  for (int r : {32, 64, 128}) {
    DcganShape s{r, 3, 16, 8, 8, GanArch::Dcgan, NormKind::Batch};
    DcganGenerator g(s);
    DcganDiscriminator d(s);
    const auto x = g->forward(torch::randn({2, 16}));
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{2, 3, r, r}));
    EXPECT_LE(x.abs().max().item<float>(), 1.0f);
    EXPECT_EQ(d->forward(x).sizes(), (std::vector<int64_t>{2}));
    const auto f = d->features(x);
    const int k = static_cast<int>(std::log2(r)) - 2;
    ASSERT_EQ(static_cast<int>(f.size()), k);
    for (int i = 0; i < k; ++i)
      EXPECT_EQ(f[static_cast<size_t>(i)].sizes(), (std::vector<int64_t>{2, 8 << i, r >> (i + 1), r >> (i + 1)}));
  }
}

TEST(Dcgan, ParameterCountsOfThePaperNetworkAt64) {
  // DCGAN 64x64, ngf = ndf = 64, z = 100, RGB. Hand count: G = convT 100*512*16 + 512*256*16 +
  // 256*128*16 + 128*64*16 + (64*3*16 + 3 bias) + BN (2 * (512+256+128+64)) = 3576707;
  // D = (3*64*16 + 64 bias) + 64*128*16 + 128*256*16 + 256*512*16 + (512*16 + 1) + BN 2*(128+256+512) = 2765633.
  DcganShape s{64, 3, 100, 64, 64, GanArch::Dcgan, NormKind::Batch};
  DcganGenerator g(s);
  DcganDiscriminator d(s);
  EXPECT_EQ(count_params(*g), 3576707);
  EXPECT_EQ(count_params(*d), 2765633);
}

TEST(Dcgan, InitialisationFollowsDcganAndLecun) {
  torch::manual_seed(3);
  DcganShape s{32, 1, 100, 64, 64, GanArch::Dcgan, NormKind::Batch};
  DcganGenerator g(s);
  init_dcgan_weights(*g, GanArch::Dcgan);
  const auto w = g->named_parameters()["net.0.weight"];  // 100 x 256 x 4 x 4
  EXPECT_NEAR(w.std().item<double>(), 0.02, 0.0005);
  EXPECT_NEAR(w.mean().item<double>(), 0.0, 0.0005);
  const auto gamma = g->named_parameters()["net.1.weight"];
  EXPECT_NEAR(gamma.mean().item<double>(), 1.0, 0.005);
  s.arch = GanArch::DcganSelu;
  DcganDiscriminator d(s);
  init_dcgan_weights(*d, GanArch::DcganSelu);
  const auto w1 = d->named_parameters()["blocks.1.0.weight"];  // 128 x 64 x 4 x 4, fan_in 1024
  EXPECT_NEAR(w1.std().item<double>(), 1.0 / 32.0, 0.001);
  for (const auto& item : d->named_parameters()) EXPECT_EQ(item.key().find("1.1."), std::string::npos) << item.key();
}

}  // namespace
}  // namespace gankit
