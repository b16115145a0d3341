// Data-parallel training's CUDA path on one GPU: a rank of world size 1 joins c10d on 127.0.0.1
// with DataParallel (data_parallel.h), which picks NCCL for a CUDA device in a CUDA LibTorch, then
//   1. checks every exchange: the mean of logged values, a broadcast of a GPU and of a host
//      tensor, the weight hash comparison, a barrier (one rank: each must give back exactly what
//      it was given);
//   2. trains ProGAN (progan_step) for 10 iterations with and without the rank's gradient
//      averaging from the same weights and seeds: the weights must agree to 1e-4 of the largest
//      weight (GPU kernels that sum with atomics are not bit-reproducible);
//   3. times progan_step with and without it, and one all-reduce of D's gradients.
// Exit 0 when every check holds. One GPU cannot hold two NCCL ranks (NCCL refuses two ranks on
// one device), so the two-rank equivalence is the CPU suite's (tests/test_data_parallel.cpp).
//
//   bench_data_parallel_cuda [DEVICE=cuda] [STEPS=40] [RESOLUTION=64] [PORT=29517]
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "data_parallel.h"
#include "device.h"
#include "progan_bench.h"

namespace {

using namespace gankit;

std::vector<torch::Tensor> weights(GanModels& m) {
  std::vector<torch::Tensor> w;
  for (torch::nn::Module* net :
       {static_cast<torch::nn::Module*>(m.pg.get()), static_cast<torch::nn::Module*>(m.pd.get()),
        static_cast<torch::nn::Module*>(m.pg_ema.get())}) {
    for (const auto& p : net->parameters()) w.push_back(p.detach());
    for (const auto& b : net->buffers()) w.push_back(b.detach());
  }
  return w;
}

bool check(bool ok, const char* what) {
  std::printf("%-58s %s\n", what, ok ? "ok" : "FAILED");
  return ok;
}

// Largest |a - b| over all weights, relative to the largest |a|.
double relative_gap(GanModels& a, GanModels& b) {
  const auto wa = weights(a), wb = weights(b);
  double gap = 0, scale = 0;
  for (size_t i = 0; i < wa.size(); ++i) {
    gap = std::max(gap, (wa[i] - wb[i]).abs().max().item<double>());
    scale = std::max(scale, wa[i].abs().max().item<double>());
  }
  return gap / scale;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const c10::Device device = torch_device(argc > 1 ? argv[1] : "cuda");
    const int steps = argc > 2 ? std::stoi(argv[2]) : 40;
    const int resolution = argc > 3 ? std::stoi(argv[3]) : 64;
    LaunchEnv env;
    env.master_addr = "127.0.0.1";
    env.master_port = argc > 4 ? std::stoi(argv[4]) : 29517;
    DataParallel dp(env, std::chrono::seconds(120), device);
    std::printf("c10d engine for %s: %s (world size 1)\n", device.str().c_str(), dp.engine().c_str());
    bool ok = true;

    const std::vector<double> values = {1.25, -3.5, 1e-7};
    ok &= check(dp.average(values) == values, "mean of logged values over one rank is exact");
    const torch::Tensor t = torch::randn({1000, 37}, torch::TensorOptions().device(device));
    const torch::Tensor before = t.clone();
    dp.broadcast({t});
    ok &= check(torch::equal(t, before), "broadcast from rank 0 keeps the tensor");
    const torch::Tensor setting = torch::tensor({int64_t{123456789}}, torch::kInt64);  // as train_gan's cache size
    dp.broadcast({setting});
    ok &= check(setting.item<int64_t>() == 123456789 && !setting.is_cuda(), "broadcast of a host tensor keeps it");
    bench::ProganBench a = bench::make_progan_bench(resolution, 0.5, device, 1);
    dp.check_same(weights(a.models), 0);  // throws when the hash comparison fails
    check(true, "weight-hash comparison");
    dp.barrier();
    check(true, "barrier");

    // Same weights, same seeds: one trains alone, one through the rank's gradient averaging.
    at::globalContext().setDeterministicCuDNN(true);
    at::globalContext().setBenchmarkCuDNN(false);
    bench::ProganBench b = bench::make_progan_bench(resolution, 0.5, device, 1);
    b.reals.copy_(a.reals);
    auto gen_a = at::detail::createCPUGenerator(7), gen_b = at::detail::createCPUGenerator(7);
    for (int i = 0; i < 10; ++i) {
      progan_step(a.models, a.config, a.reals, a.position, gen_a, nullptr);
      progan_step(b.models, b.config, b.reals, b.position, gen_b, &dp);
    }
    const double gap = relative_gap(a.models, b.models);
    std::printf("10 ProGAN iterations at %dx%d, weights' largest gap / largest weight: %.2e\n", resolution, resolution,
                gap);
    ok &= check(gap <= 1e-4, "training through the rank's averaging = training alone");

    at::globalContext().setDeterministicCuDNN(false);
    at::globalContext().setBenchmarkCuDNN(true);
    const double alone = bench::time_progan_steps(a, steps, gen_a, nullptr);
    const double ranked = bench::time_progan_steps(b, steps, gen_b, &dp);
    std::printf(
        "| ProGAN %dx%d, minibatch %lld | real images/s |\n|---|---:|\n| one process | %.0f |\n"
        "| one rank, %s averaging | %.0f |\n",
        resolution, resolution, static_cast<long long>(a.reals.size(0)), alone, dp.engine().c_str(), ranked);
    std::vector<torch::Tensor> d_params = b.models.pd->parameters();
    int64_t bytes = 0;
    for (const auto& p : d_params)
      if (p.grad().defined()) bytes += static_cast<int64_t>(p.grad().nbytes());
    dp.average_gradients(d_params);
    if (device.is_cuda()) torch::cuda::synchronize();
    const int reps = 20;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) dp.average_gradients(d_params);
    if (device.is_cuda()) torch::cuda::synchronize();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
    std::printf("averaging D's gradients (%.1f MB, %s, one rank): %.2f ms\n", bytes / 1e6, dp.engine().c_str(), ms);
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_data_parallel_cuda: %s\n", e.what());
    return 1;
  }
}
