// Data-parallel training end to end (gan-train --nproc, c10d Gloo over 127.0.0.1): two ranks with
// half the minibatch each train what one process trains on the whole one, BatchNorm runs keep
// every rank's weights identical, a 2-rank run resumes exactly, a killed rank ends the job with
// its rank named, and the launcher's variables are checked.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <map>

#include "fixtures.h"
#include "gan_models.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::run;
using test::TempDir;

std::map<std::string, torch::Tensor> all_weights(const fs::path& ckpt) {
  LoadedModels m = load_models(ckpt, torch::kCPU);
  std::map<std::string, torch::Tensor> out;
  for (torch::nn::Module* mod : {&m.models.generator(), &m.models.discriminator()}) {
    const std::string side = mod == &m.models.generator() ? "G." : "D.";
    for (const auto& item : mod->named_parameters()) out[side + item.key()] = item.value();
    for (const auto& item : mod->named_buffers()) out[side + item.key()] = item.value();
  }
  if (m.models.pg_ema)
    for (const auto& item : m.models.pg_ema->named_parameters()) out["G_ema." + item.key()] = item.value();
  return out;
}

struct Fixture {
  TempDir dir;
  Fixture() {
    test::write_pyramid(dir / "d32.h5", 64, 1, 32);
    test::write_pyramid(dir / "d16.h5", 64, 1, 16);
  }
  // gan-train on 32x32 (or progan to 16x16) with tiny networks, one thread per rank.
  test::RunResult train(const std::string& out, const std::string& extra) const {
    return run(fmt::format("{} --out {} --z-dim 16 --threads 1 --sample-every 0 --keep-every 0 -q {}",
                           test::gan_train(), (dir / out).string(), extra));
  }
  std::string dcgan(const std::string& extra) const {
    return fmt::format("--data {} --ngf 8 --ndf 8 {}", (dir / "d32.h5").string(), extra);
  }
};

// Largest |a - b| over all weights, relative to the largest weight.
double max_rel_diff(const fs::path& a, const fs::path& b) {
  const auto wa = all_weights(a), wb = all_weights(b);
  double diff = 0, scale = 0;
  for (const auto& [k, v] : wa) {
    diff = std::max(diff, (v - wb.at(k)).abs().max().item<double>());
    scale = std::max(scale, v.abs().max().item<double>());
  }
  return diff / scale;
}

// Float tolerance: the averaged gradient (g0 + g1) / 2 rounds differently from the gradient of the
// whole minibatch's mean, and Adam amplifies the first steps' rounding; measured 1e-6 to 1e-5.
constexpr double kTolerance = 1e-4;

TEST(DataParallel, TwoRanksWithHalfTheBatchTrainWhatOneProcessTrains) {
  Fixture f;
  for (const char* loss : {"gan", "lsgan", "wgan-gp"}) {
    const std::string flags = f.dcgan(fmt::format("--arch dcgan-selu --loss {} --batch 8 --steps 4", loss));
    auto one = f.train(fmt::format("one-{}", loss), flags);
    ASSERT_EQ(one.exit_code, 0) << one.err;
    auto two = f.train(fmt::format("two-{}", loss), flags + " --nproc 2");
    ASSERT_EQ(two.exit_code, 0) << two.err;
    const double d = max_rel_diff(f.dir / fmt::format("one-{}/checkpoints/latest.pt", loss),
                                  f.dir / fmt::format("two-{}/checkpoints/latest.pt", loss));
    EXPECT_LT(d, kTolerance) << loss;
    EXPECT_GT(d, 0.0) << loss << ": bit-identical, so the 2-rank run cannot have split the minibatch";
  }
  // Streamed data: each rank reads the minibatch from the stream and keeps its rows.
  const std::string streamed =
      f.dcgan("--arch dcgan-selu --loss lsgan --batch 8 --steps 4 --data-in-memory off --data-cache-mb 1");
  ASSERT_EQ(f.train("one-streamed", streamed).exit_code, 0);
  auto two_streamed = f.train("two-streamed", streamed + " --nproc 2");
  ASSERT_EQ(two_streamed.exit_code, 0) << two_streamed.err;
  EXPECT_LT(max_rel_diff(f.dir / "one-streamed/checkpoints/latest.pt", f.dir / "two-streamed/checkpoints/latest.pt"),
            kTolerance);
  // ProGAN to 16x16 (minibatch 8: each rank's 4 images are one stddev group, the group one process
  // forms from the strided rows), through a fade.
  const std::string progan = fmt::format(
      "--data {} --arch progan --resolution 16 --fmap-base 32 --fmap-max 8 --batch 8 --fade-kimg 0.016 "
      "--stable-kimg 0.016 --kimg 0.056",
      (f.dir / "d16.h5").string());
  ASSERT_EQ(f.train("one-progan", progan).exit_code, 0);
  auto two = f.train("two-progan", progan + " --nproc 2");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_LT(max_rel_diff(f.dir / "one-progan/checkpoints/latest.pt", f.dir / "two-progan/checkpoints/latest.pt"),
            kTolerance);
}

TEST(DataParallel, BatchNormRanksStayIdenticalAndA2RankRunResumesExactly) {
  Fixture f;
  // --checkpoint-every 1: after every step the ranks compare a hash of all their weights and
  // buffers and stop if they differ.
  const std::string flags = f.dcgan("--loss gan --batch 8 --nproc 2 --checkpoint-every 1");
  auto straight = f.train("straight", flags + " --steps 6");
  ASSERT_EQ(straight.exit_code, 0) << straight.err;
  ASSERT_EQ(f.train("split", flags + " --steps 3").exit_code, 0);
  auto resumed =
      run(fmt::format("{} --out {} --resume --steps 6 --nproc 2", test::gan_train(), (f.dir / "split").string()));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // The banner names the engine (Debian's LibTorch: Gloo alone).
  EXPECT_NE(resumed.err.find("2 ranks on c10d gloo (global minibatch split by rows)"), std::string::npos)
      << resumed.err;
  const auto a = all_weights(f.dir / "straight/checkpoints/latest.pt");
  const auto b = all_weights(f.dir / "split/checkpoints/latest.pt");
  for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << k;
  // On one process it goes on, and says what changes.
  auto one = run(fmt::format("{} --out {} --resume --steps 8", test::gan_train(), (f.dir / "split").string()));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("the run trained on 2 rank(s), now 1: the same global minibatches"), std::string::npos)
      << one.err;
}

// Starts a 2-rank job that would train for ever, waits for its first checkpoint, sends `signal`
// to rank 1 (the launcher's newest child) and returns what the launcher said ("exit=N" on stdout).
test::RunResult disturb_rank_1(const Fixture& f, const std::string& extra, const char* signal) {
  const std::string cmd =
      fmt::format("{} --out {} --z-dim 16 --threads 1 -q {} {}", test::gan_train(), (f.dir / "run").string(), extra,
                  f.dcgan("--loss gan --batch 8 --nproc 2 --steps 1000000 --checkpoint-every 5"));
  return run(fmt::format(
      "( {} & L=$!; for i in $(seq 100); do [ -f {} ] && break; sleep 0.1; done; kill -{} $(pgrep -n -P $L); "
      "wait $L; echo exit=$? )",
      cmd, (f.dir / "run/checkpoints/latest.pt").string(), signal));
}

TEST(DataParallel, AKilledRankEndsTheJobNamingIt) {
  Fixture f;
  const auto r = disturb_rank_1(f, "", "9");
  EXPECT_NE(r.out.find("exit=2"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("rank 1 of 2 was killed by signal 9"), std::string::npos) << r.err;
  EXPECT_NO_THROW(all_weights(f.dir / "run/checkpoints/latest.pt"));  // the last good checkpoint
}

// A rank that hangs (stopped) is given up after --dist-timeout: the job ends instead of waiting.
TEST(DataParallel, AHungRankEndsTheJobAfterTheTimeout) {
  Fixture f;
  const auto r = disturb_rank_1(f, "--dist-timeout 3", "STOP");
  EXPECT_NE(r.out.find("exit=2"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("rank 0 of 2: lost contact with the other ranks"), std::string::npos) << r.err;
  EXPECT_NO_THROW(all_weights(f.dir / "run/checkpoints/latest.pt"));
}

// What torchrun does: the variables set by hand for two processes started apart.
TEST(DataParallel, RanksStartedByAnotherLauncherTrainTogether) {
  Fixture f;
  ASSERT_EQ(f.train("nproc", f.dcgan("--loss lsgan --batch 8 --steps 3 --nproc 2")).exit_code, 0);
  const std::string train =
      fmt::format("{} --out {} --z-dim 16 --threads 1 --sample-every 0 --keep-every 0 -q {}", test::gan_train(),
                  (f.dir / "env").string(), f.dcgan("--loss lsgan --batch 8 --steps 3"));
  const int port = 20000 + static_cast<int>(getpid() % 20000);
  const auto r = run(
      fmt::format("( export WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT={0}; RANK=1 LOCAL_RANK=1 {1} > /dev/null & "
                  "RANK=0 LOCAL_RANK=0 {1}; a=$?; wait $!; echo exit=$a,$? )",
                  port, train));
  EXPECT_NE(r.out.find("exit=0,0"), std::string::npos) << r.out << r.err;
  const auto a = all_weights(f.dir / "nproc/checkpoints/latest.pt"),
             b = all_weights(f.dir / "env/checkpoints/latest.pt");
  for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << k;
}

TEST(DataParallel, LauncherVariablesAreChecked) {
  Fixture f;
  const std::string train =
      fmt::format("{} --out {} -q {}", test::gan_train(), (f.dir / "x").string(), f.dcgan("--steps 1 --batch 8"));
  test::expect_cli_error(run("WORLD_SIZE=2 " + train), 1, "WORLD_SIZE is set but RANK is not");
  test::expect_cli_error(run("RANK=2 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 " + train), 1,
                         "RANK=2: expected an integer in 0..1");
  test::expect_cli_error(run("RANK=0 WORLD_SIZE=2 " + train), 1, "MASTER_ADDR and MASTER_PORT must name");
  // A port another process listens on.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const auto busy = run(fmt::format("RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT={} {} --dist-timeout 5",
                                    ntohs(a.sin_port), train));
  close(fd);
  EXPECT_EQ(busy.exit_code, 2) << busy.err;
  EXPECT_NE(busy.err.find("rank 0 of 2: cannot join the other ranks at 127.0.0.1:"), std::string::npos) << busy.err;
  test::expect_cli_error(run(train + " --nproc 3"), 1, "--batch 8: 3 ranks each take an equal part");
}

}  // namespace
}  // namespace gankit
