// ProGAN training speed on a GPU: gankit's progan_step() (critic update with gradient penalty
// and drift, G moving average, generator update) at the official network size (fmap 8192/512,
// latent 512, RGB, minibatch 16) per resolution, stable and mid-fade, in real images per second.
// Data loading is not included (the trainer reads a level held in memory).
//
//   bench_progan_step [DEVICE=cuda] [STEPS=60] [RESOLUTIONS=32,64,128,256]
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

#include "device.h"
#include "gan_models.h"
#include "progan_step.h"

namespace {

using namespace gankit;

double run(int resolution, double alpha, const std::string& device_name, int steps) {
  const c10::Device device = torch_device(device_name);
  TrainConfig c = defaults_for(GanArch::Progan, GanLoss::WganGp);
  c.resolution = resolution;
  c.channels = 3;
  ProganShape shape;
  shape.resolution = resolution;
  shape.channels = 3;
  shape.z_dim = c.z_dim;
  torch::manual_seed(1);
  // The models as make_models() builds them (gan_models.cpp stays out: it needs HDF5).
  GanModels m;
  m.pg = ProganGenerator(shape);
  m.pd = ProganDiscriminator(shape);
  m.pg_ema = ProganGenerator(shape);
  m.pg->to(device);
  m.pd->to(device);
  m.pg_ema->to(device);
  auto adam = [&](std::vector<torch::Tensor> p) {
    return std::make_unique<torch::optim::Adam>(std::move(p),
                                                torch::optim::AdamOptions(c.lr_g).betas({c.beta1, c.beta2}).eps(1e-8));
  };
  m.opt_g = adam(m.pg->parameters());
  m.opt_d = adam(m.pd->parameters());
  const int batch = progan_batch(c.batch, resolution);
  ProganPosition pos;
  pos.level = shape.levels() - 1;
  pos.alpha = alpha;
  const torch::Tensor reals = (torch::rand({batch, 3, resolution, resolution}) * 2 - 1).to(device);
  auto gen = at::detail::createCPUGenerator(7);
  for (int i = 0; i < 5; ++i) progan_step(m, c, reals, pos, gen);  // warm-up (cuDNN autotuning, allocator)
  if (device.is_cuda()) torch::cuda::synchronize();
  const auto t = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) progan_step(m, c, reals, pos, gen);
  if (device.is_cuda()) torch::cuda::synchronize();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  return static_cast<double>(batch) * steps / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string device = argc > 1 ? argv[1] : "cuda";
  const int steps = argc > 2 ? std::atoi(argv[2]) : 60;
  const std::string list = argc > 3 ? argv[3] : "32,64,128,256";
  try {
    std::printf("| resolution | minibatch | stable img/s | mid-fade img/s |\n|---:|---:|---:|---:|\n");
    std::stringstream ss(list);
    for (std::string item; std::getline(ss, item, ',');) {
      const int r = std::stoi(item);
      const double stable = run(r, 1.0, device, steps), fade = run(r, 0.5, device, steps);
      std::printf("| %dx%d | %d | %.0f | %.0f |\n", r, r, progan_batch(16, r), stable, fade);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_progan_step: %s\n", e.what());
    return 1;
  }
  return 0;
}
