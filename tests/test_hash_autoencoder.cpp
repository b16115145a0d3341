// The dedup hash autoencoder (datasets/hash_autoencoder.h): its shapes, its model file, and every
// training option of gan-data dedup train.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "error.h"
#include "fixtures.h"
#include "hash_autoencoder.h"
#include "hash_autoencoder_options.h"
#include "real_images.h"
#include "test_util.h"

namespace gankit {
namespace {
using test::TempDir;

// The flip distance of bit j is the RMS grey-level size of the smallest move that changes it:
// moving the pixels along W_j by 0.99 of it keeps the bit, by 1.01 of it flips it.
TEST(HashAutoencoderOptions, AutoEpochsGiveAtLeastTenEpochsAndTheMinimumSteps) {
  HashAutoencoderOptions o;  // epochs 0: auto, minibatch 256
  EXPECT_EQ(o.epochs, 0);
  EXPECT_EQ(o.resolved_epochs(100000), 10);  // 391 steps an epoch: 10 epochs pass 1500 steps
  EXPECT_EQ(o.resolved_epochs(10000), 38);   // 40 steps an epoch: 38 for 1520
  EXPECT_EQ(o.resolved_epochs(1000), 375);   // 4 steps an epoch
  EXPECT_EQ(o.resolved_epochs(3000000), 10);
  o.epochs = 7;
  EXPECT_EQ(o.resolved_epochs(1000), 7);  // given: as given
}

TEST(HashAutoencoder, FlipDistanceIsTheSmallestMoveThatChangesTheBit) {
  torch::manual_seed(3);
  HashAutoencoder model;
  model->eval();
  torch::NoGradGuard no_grad;
  model->mean.uniform_(0.3, 0.6);
  model->inv_std.fill_(4.0);
  const torch::Tensor pixels = torch::rand({3, kHashInputUnits}, torch::kFloat64) * 255;
  const torch::Tensor pre = model->encode(model->standardise(pixels));
  const torch::Tensor dist = flip_distances(model, pre);
  ASSERT_EQ(dist.sizes(), (std::vector<int64_t>{3, kHashCodeUnits}));
  // The code position is the same distance, signed: positive exactly where the hash bit is set.
  const torch::Tensor where = code_positions(model, pre);
  EXPECT_TRUE(torch::equal(where.abs(), dist));
  EXPECT_TRUE(torch::equal(where.gt(0), pre.gt(0)));
  EXPECT_GT(where.gt(0).sum().item<int64_t>(), 0);
  EXPECT_GT(where.lt(0).sum().item<int64_t>(), 0);
  const torch::Tensor w = model->encoder->weight.to(torch::kFloat64);
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j : {0, 17, 127}) {
      SCOPED_TRACE(fmt::format("image {} bit {}", i, j));
      const double p = pre[i][j].item<double>(), d = dist[i][j].item<double>();
      ASSERT_GT(d, 0);
      // Unit direction along W_j in pixel space, towards the hyperplane; a pixel move of RMS r is
      // r * sqrt(3072) in L2.
      const torch::Tensor toward = -(p > 0 ? 1.0 : -1.0) * w[j] / w[j].norm();
      for (double f : {0.99, 1.01}) {
        const torch::Tensor moved = pixels[i] + toward * (f * d * std::sqrt(double{kHashInputUnits}));
        EXPECT_NEAR((moved - pixels[i]).pow(2).mean().sqrt().item<double>(), f * d, 1e-9 * d);
        const double q = model->encode(model->standardise(moved.unsqueeze(0)))[0][j].item<double>();
        EXPECT_EQ(q > 0, f < 1 ? p > 0 : p <= 0) << "pre " << p << " -> " << q << " at " << f << " x " << d;
      }
    }
  }
}

// A dedup model from before the low-pass thumbnails (no thumbnail_version in its provenance)
// would hash other pixels than it was trained on: gan-data dedup hash refuses it with one clear
// line, before it reads an image or writes an output.
// Every option of `gan-data dedup train` changes the trained weights (the model file's metadata
// records the options either way, so the weights are compared): with the same seed, two runs of
// the defaults are equal to the bit, and each option moved from its default gives other weights.
TEST(HashAutoencoderFile, EveryTrainingOptionChangesTheWeights) {
  test::TempDir dir;
  test::write_pyramid(dir / "d.h5", 1000, 3, 32);
  auto train = [&](const std::string& name, const std::string& extra) {
    const auto r = test::run({test::bin("gan-data"), test::flags("dedup train"), dir / "d.h5", dir / (name + ".pt"),
                              test::flags("--samples 1000 --epochs 1 --threads 1 --seed 3 -q"), test::flags(extra)});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    nlohmann::json meta;
    HashAutoencoder m = load_hash_autoencoder(dir / (name + ".pt"), torch::kCPU, &meta);
    std::vector<torch::Tensor> w;
    for (const auto& p : m->parameters()) w.push_back(p.detach().clone());
    return std::make_pair(w, meta);
  };
  auto same = [](const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    for (size_t i = 0; i < a.size(); ++i)
      if (!torch::equal(a[i], b[i])) return false;
    return true;
  };
  const auto base = train("base", ""), again = train("again", "");
  ASSERT_TRUE(same(base.first, again.first)) << "training is not a function of the seed";
  const auto margin_on = train("margin-on", "--margin-weight 1");
  for (const auto& [name, flags] : std::vector<std::pair<std::string, std::string>>{{"noise", "--noise 0.1"},
                                                                                    {"brightness", "--brightness 0.3"},
                                                                                    {"resample", "--resample 0.5"},
                                                                                    {"shift", "--shift 2"},
                                                                                    {"scale", "--scale 0.1"},
                                                                                    {"lr", "--lr 0.0003"},
                                                                                    {"batch", "--batch 100"},
                                                                                    {"dropout", "--dropout 0.3"}})
    EXPECT_FALSE(same(base.first, train(name, flags).first)) << flags << " did not change the weights";
  EXPECT_FALSE(same(base.first, margin_on.first)) << "--margin-weight 1 did not change the weights";
  EXPECT_FALSE(same(margin_on.first, train("margin", "--margin-weight 1 --margin 2").first))
      << "--margin 2 did not change the weights";
}

TEST(HashAutoencoderFile, ModelsForOtherThumbnailsAreRefused) {
  test::TempDir dir;
  HashAutoencoder model;
  save_hash_autoencoder(dir / "old.pt", model, HashAutoencoderOptions{}, HashTrainStats{},
                        {{"thumbnail", "32x32 RGB centre crop, area resize"}});
  std::filesystem::create_directories(dir / "imgs");
  test::expect_cli_error(test::run({test::bin("gan-data"), test::flags("dedup hash"), dir / "imgs", dir / "g.json",
                                    "--model", dir / "old.pt", "-q"}),
                         2, "old.pt was trained on version-1 thumbnails; this gan-data hashes version-2 thumbnails");
  EXPECT_FALSE(std::filesystem::exists(dir / "g.json"));
}

}  // namespace
}  // namespace gankit
