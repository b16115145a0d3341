// Speed of a TorchScript feature backbone (gan-eval fid/kid/prdc --backbone FILE.pt) on a device,
// called the way gankit calls it: batches of float32 (B, 3, S, S) images with values 0..255
// built on the CPU, copied to the device, run, features copied back. Prints images/s per batch
// size after a warm-up. Usage: bench_backbone_cuda NET.pt [device=cuda] [images=2000]
#include <torch/script.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s NET.pt [device] [images]\n", argv[0]);
    return 1;
  }
  const torch::Device device(argc > 2 ? argv[2] : "cuda");
  const int images = argc > 3 ? std::stoi(argv[3]) : 2000;
  torch::jit::Module net = torch::jit::load(argv[1], device);
  net.eval();
  const int s = static_cast<int>(net.attr("input_size").toInt());
  torch::NoGradGuard no_grad;
  std::printf("| batch | images/s | features |\n|---:|---:|---|\n");
  for (int batch : {50, 100, 200}) {
    const torch::Tensor host = torch::rand({batch, 3, s, s}) * 255;
    for (int w = 0; w < 3; ++w) net.forward({host.to(device)}).toTensor().to(torch::kCPU);  // warm-up
    if (device.is_cuda()) torch::cuda::synchronize();
    const auto t0 = std::chrono::steady_clock::now();
    int done = 0;
    torch::Tensor f;
    while (done < images) {
      f = net.forward({host.to(device)}).toTensor().to(torch::kCPU);
      done += batch;
    }
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("| %d | %.0f | (%lld, %lld) |\n", batch, done / sec, static_cast<long long>(f.size(0)),
                static_cast<long long>(f.size(1)));
  }
  return 0;
}
