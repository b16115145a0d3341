// One ProGAN training setup for the GPU benchmarks: the official network size (fmap 8192/512,
// latent 512, RGB) at one resolution and fade position, its minibatch of random real images in
// [-1, 1] on the device, and a timer of progan_step(). The models are built as make_models()
// builds them, here because gan_models.cpp needs HDF5, which GPU machines rarely carry.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <vector>

#include "gan_models.h"
#include "progan_step.h"

namespace gankit::bench {

struct ProganBench {
  TrainConfig config;
  GanModels models;
  ProganPosition position;
  torch::Tensor reals;  // (batch, 3, R, R) on the device
};

inline ProganBench make_progan_bench(int resolution, double alpha, const c10::Device& device, uint64_t seed = 1) {
  ProganBench b;
  b.config = defaults_for(GanArch::Progan, GanLoss::WganGp);
  b.config.resolution = resolution;
  b.config.channels = 3;
  ProganShape shape;
  shape.resolution = resolution;
  shape.channels = 3;
  shape.z_dim = b.config.z_dim;
  torch::manual_seed(seed);
  GanModels& m = b.models;
  m.pg = ProganGenerator(shape);
  m.pd = ProganDiscriminator(shape);
  m.pg_ema = ProganGenerator(shape);
  m.pg->to(device);
  m.pd->to(device);
  m.pg_ema->to(device);
  const TrainConfig& c = b.config;
  auto adam = [&](std::vector<torch::Tensor> p) {
    return std::make_unique<torch::optim::Adam>(std::move(p),
                                                torch::optim::AdamOptions(c.lr_g).betas({c.beta1, c.beta2}).eps(1e-8));
  };
  m.opt_g = adam(m.pg->parameters());
  m.opt_d = adam(m.pd->parameters());
  b.position.level = shape.levels() - 1;
  b.position.alpha = alpha;
  const int batch = progan_batch(c.batch, resolution);
  b.reals = (torch::rand({batch, 3, resolution, resolution}) * 2 - 1).to(device);
  return b;
}

// Real images per second over `steps` iterations after 5 of warm-up (cuDNN autotuning, the
// caching allocator), with `parallel` (data_parallel.h) when given.
inline double time_progan_steps(ProganBench& b, int steps, at::Generator gen, DataParallel* parallel = nullptr) {
  const bool cuda = b.reals.is_cuda();
  for (int i = 0; i < 5; ++i) progan_step(b.models, b.config, b.reals, b.position, gen, parallel);
  if (cuda) torch::cuda::synchronize();
  const auto t = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) progan_step(b.models, b.config, b.reals, b.position, gen, parallel);
  if (cuda) torch::cuda::synchronize();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  return static_cast<double>(b.reals.size(0)) * steps / secs;
}

}  // namespace gankit::bench
