#include "device.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <thread>

#include "error.h"

namespace gankit {

namespace {

c10::Device parse_device(const std::string& name) {
  try {
    return c10::Device(name);
  } catch (const std::exception&) {
    fail(ErrorKind::Usage, fmt::format(GANKIT_SETTING("device") " {}: expected cpu, cuda or cuda:N", name));
  }
}

}  // namespace

bool torch_device_available(const std::string& name) {
  const c10::Device d = parse_device(name);
  if (d.is_cpu()) return true;
  if (!d.is_cuda() || !torch::cuda::is_available()) return false;
  return !d.has_index() || d.index() < static_cast<int>(torch::cuda::device_count());
}

c10::Device torch_device(const std::string& name) {
  GANKIT_CHECK_USAGE(
      torch_device_available(name),
      GANKIT_SETTING("device") " {}: no such CUDA device here (this LibTorch build {} CUDA{}; use " GANKIT_SETTING(
          "device") " cpu)",
      name, torch::cuda::is_available() ? "has" : "has no",
      torch::cuda::is_available() ? fmt::format(", {} device(s)", torch::cuda::device_count()) : "");
  return parse_device(name);
}

void set_torch_threads(int threads) {
  const int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(n);
}

}  // namespace gankit
