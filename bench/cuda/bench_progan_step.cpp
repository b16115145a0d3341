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
#include "progan_bench.h"

namespace {

double run(int resolution, double alpha, const std::string& device_name, int steps) {
  gankit::bench::ProganBench b = gankit::bench::make_progan_bench(resolution, alpha, gankit::torch_device(device_name));
  return gankit::bench::time_progan_steps(b, steps, at::detail::createCPUGenerator(7));
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
      std::printf("| %dx%d | %d | %.0f | %.0f |\n", r, r, gankit::progan_batch(16, r), stable, fade);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_progan_step: %s\n", e.what());
    return 1;
  }
  return 0;
}
