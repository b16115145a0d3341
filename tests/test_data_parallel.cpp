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

#include <csignal>

#include "checkpoint_weights.h"
#include "fixtures.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::flags;
using test::run;
using test::TempDir;

struct Fixture {
  TempDir dir;
  Fixture() {
    test::write_pyramid(dir / "d32.h5", 64, 1, 32);
    test::write_pyramid(dir / "d16.h5", 64, 1, 16);
  }
  // gan-train on 32x32 (or progan to 16x16) with tiny networks, one thread per rank.
  test::Command train_command(const std::string& out, const test::Command& extra) const {
    return {test::gan_train(), "--out", dir / out, flags("--z-dim 16 --threads 1 --sample-every 0 --keep-every 0 -q"),
            extra};
  }
  test::RunResult train(const std::string& out, const test::Command& extra) const {
    return run(train_command(out, extra));
  }
  test::Command dcgan(std::string_view extra) const {
    return {"--data", dir / "d32.h5", flags("--ngf 8 --ndf 8"), flags(extra)};
  }
};

// Largest |a - b| over all weights, relative to the largest weight.
double max_rel_diff(const fs::path& a, const fs::path& b) {
  const auto wa = test::checkpoint_weights(a), wb = test::checkpoint_weights(b);
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
    const test::Command options = f.dcgan(fmt::format("--arch dcgan-selu --loss {} --batch 8 --steps 4", loss));
    auto one = f.train(fmt::format("one-{}", loss), options);
    ASSERT_EQ(one.exit_code, 0) << one.err;
    auto two = f.train(fmt::format("two-{}", loss), options.with({flags("--nproc 2")}));
    ASSERT_EQ(two.exit_code, 0) << two.err;
    const double d = max_rel_diff(f.dir / fmt::format("one-{}/checkpoints/latest.pt", loss),
                                  f.dir / fmt::format("two-{}/checkpoints/latest.pt", loss));
    EXPECT_LT(d, kTolerance) << loss;
    EXPECT_GT(d, 0.0) << loss << ": bit-identical, so the 2-rank run cannot have split the minibatch";
  }
  // Streamed data: each rank reads the minibatch from the stream and keeps its rows.
  const test::Command streamed =
      f.dcgan("--arch dcgan-selu --loss lsgan --batch 8 --steps 4 --data-in-memory off --data-cache-mb 1");
  ASSERT_EQ(f.train("one-streamed", streamed).exit_code, 0);
  auto two_streamed = f.train("two-streamed", streamed.with({flags("--nproc 2")}));
  ASSERT_EQ(two_streamed.exit_code, 0) << two_streamed.err;
  EXPECT_LT(max_rel_diff(f.dir / "one-streamed/checkpoints/latest.pt", f.dir / "two-streamed/checkpoints/latest.pt"),
            kTolerance);
  // ProGAN to 16x16 (minibatch 8: each rank's 4 images are one stddev group, the group one process
  // forms from the strided rows), through a fade.
  const test::Command progan = {"--data", f.dir / "d16.h5",
                                flags("--arch progan --resolution 16 --fmap-base 32 --fmap-max 8 --batch 8 "
                                      "--fade-kimg 0.016 --stable-kimg 0.016 --kimg 0.056")};
  ASSERT_EQ(f.train("one-progan", progan).exit_code, 0);
  auto two = f.train("two-progan", progan.with({flags("--nproc 2")}));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_LT(max_rel_diff(f.dir / "one-progan/checkpoints/latest.pt", f.dir / "two-progan/checkpoints/latest.pt"),
            kTolerance);
}

TEST(DataParallel, BatchNormRanksStayIdenticalAndA2RankRunResumesExactly) {
  Fixture f;
  // --checkpoint-every 1: after every step the ranks compare a hash of all their weights and
  // buffers and stop if they differ.
  const test::Command options = f.dcgan("--loss gan --batch 8 --nproc 2 --checkpoint-every 1");
  auto straight = f.train("straight", options.with({flags("--steps 6")}));
  ASSERT_EQ(straight.exit_code, 0) << straight.err;
  ASSERT_EQ(f.train("split", options.with({flags("--steps 3")})).exit_code, 0);
  auto resumed = run({test::gan_train(), "--out", f.dir / "split", flags("--resume --steps 6 --nproc 2")});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // The banner names the engine (Debian's LibTorch: Gloo alone).
  EXPECT_NE(resumed.err.find("2 ranks on c10d gloo (global minibatch split by rows)"), std::string::npos)
      << resumed.err;
  const auto a = test::checkpoint_weights(f.dir / "straight/checkpoints/latest.pt");
  const auto b = test::checkpoint_weights(f.dir / "split/checkpoints/latest.pt");
  for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << k;
  // On one process it goes on, and says what changes.
  auto one = run({test::gan_train(), "--out", f.dir / "split", flags("--resume --steps 8")});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("the run trained on 2 rank(s), now 1: the same global minibatches"), std::string::npos)
      << one.err;
}

// Starts a 2-rank job that would train for ever, waits for its first checkpoint, sends `signal`
// to rank 1 (the launcher's newest child) and returns what the launcher said.
test::RunResult disturb_rank_1(const Fixture& f, std::string_view extra, int signal) {
  test::Process launcher(
      f.train_command("run", f.dcgan("--loss gan --batch 8 --nproc 2 --steps 1000000 --checkpoint-every 5"))
          .with({flags(extra)}));
  test::wait_until([&] { return fs::exists(f.dir / "run/checkpoints/latest.pt"); }, 10, 0.1);
  const auto rank_1 = run({"pgrep", "-n", "-P", launcher.pid()});
  if (rank_1.exit_code == 0) kill(std::stoi(rank_1.out), signal);
  return launcher.wait();
}

TEST(DataParallel, AKilledRankEndsTheJobNamingIt) {
  Fixture f;
  const auto r = disturb_rank_1(f, "", SIGKILL);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("rank 1 of 2 was killed by signal 9"), std::string::npos) << r.err;
  EXPECT_NO_THROW(test::checkpoint_weights(f.dir / "run/checkpoints/latest.pt"));  // the last good checkpoint
}

// A rank that hangs (stopped) is given up after --dist-timeout: the job ends instead of waiting.
TEST(DataParallel, AHungRankEndsTheJobAfterTheTimeout) {
  Fixture f;
  const auto r = disturb_rank_1(f, "--dist-timeout 3", SIGSTOP);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("rank 0 of 2: lost contact with the other ranks"), std::string::npos) << r.err;
  EXPECT_NO_THROW(test::checkpoint_weights(f.dir / "run/checkpoints/latest.pt"));
}

// What torchrun does: the variables set by hand for two processes started apart.
TEST(DataParallel, RanksStartedByAnotherLauncherTrainTogether) {
  Fixture f;
  ASSERT_EQ(f.train("nproc", f.dcgan("--loss lsgan --batch 8 --steps 3 --nproc 2")).exit_code, 0);
  const test::Command train = f.train_command("env", f.dcgan("--loss lsgan --batch 8 --steps 3"));
  const std::string port = std::to_string(20000 + static_cast<int>(getpid() % 20000));
  auto rank = [&](const char* r) {
    return test::RunOptions{
        .env = {
            {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port}, {"RANK", r}, {"LOCAL_RANK", r}}};
  };
  test::Process rank_1(train, rank("1"));
  const auto rank_0 = run(train, rank("0"));
  const auto r1 = rank_1.wait();
  EXPECT_EQ(rank_0.exit_code, 0) << rank_0.err;
  EXPECT_EQ(r1.exit_code, 0) << r1.err;
  const auto a = test::checkpoint_weights(f.dir / "nproc/checkpoints/latest.pt"),
             b = test::checkpoint_weights(f.dir / "env/checkpoints/latest.pt");
  for (const auto& [k, v] : a) EXPECT_TRUE(torch::equal(v, b.at(k))) << k;
}

TEST(DataParallel, LauncherVariablesAreChecked) {
  Fixture f;
  const test::Command train = {test::gan_train(), "--out", f.dir / "x", "-q", f.dcgan("--steps 1 --batch 8")};
  auto env = [](std::vector<std::pair<std::string, std::string>> vars) {
    return test::RunOptions{.env = std::move(vars)};
  };
  test::expect_cli_error(run(train, env({{"WORLD_SIZE", "2"}})), 1, "WORLD_SIZE is set but RANK is not");
  test::expect_cli_error(
      run(train, env({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}})), 1,
      "RANK=2: expected an integer in 0..1");
  test::expect_cli_error(run(train, env({{"RANK", "0"}, {"WORLD_SIZE", "2"}})), 1,
                         "MASTER_ADDR and MASTER_PORT must name");
  // A port another process listens on.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const auto busy =
      run(train.with({flags("--dist-timeout 5")}), env({{"RANK", "0"},
                                                        {"WORLD_SIZE", "2"},
                                                        {"MASTER_ADDR", "127.0.0.1"},
                                                        {"MASTER_PORT", std::to_string(ntohs(a.sin_port))}}));
  close(fd);
  EXPECT_EQ(busy.exit_code, 2) << busy.err;
  EXPECT_NE(busy.err.find("rank 0 of 2: cannot join the other ranks at 127.0.0.1:"), std::string::npos) << busy.err;
  test::expect_cli_error(run(train.with({flags("--nproc 3")})), 1, "--batch 8: 3 ranks each take an equal part");
}

}  // namespace
}  // namespace gankit
