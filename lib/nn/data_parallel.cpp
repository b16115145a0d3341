#include "data_parallel.h"

#include <fmt/format.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <cstdlib>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef GANKIT_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef GANKIT_HAVE_NCCL
#include <c10/cuda/CUDAFunctions.h>

#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "error.h"
#include "fnv1a.h"

namespace gankit {

namespace {

// Gloo's and NCCL's common base class: ProcessGroup in LibTorch 1.x, Backend from 2.0.
#if TORCH_VERSION_MAJOR >= 2
using Group = c10d::Backend;
#else
using Group = c10d::ProcessGroup;
#endif

constexpr int64_t kBucketBytes = 25 << 20;  // DistributedDataParallel's default bucket size

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

int env_int(const char* name, const std::string& text, int lo, int hi) {
  int v = 0;
  size_t used = 0;
  try {
    v = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  GANKIT_CHECK_USAGE(used == text.size() && v >= lo && v <= hi, "{}={}: expected an integer in {}..{}", name, text, lo,
                     hi);
  return v;
}

// The first line of a c10d/Gloo message (they append stack frames).
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

std::optional<LaunchEnv> launch_env_from_environment() {
  // torchrun's names first; SLURM's task variables where they are missing.
  auto rank = env("RANK"), world = env("WORLD_SIZE"), local = env("LOCAL_RANK");
  const char* rank_name = "RANK";
  const char* world_name = "WORLD_SIZE";
  if (!rank && !world && env("SLURM_NTASKS") && env("MASTER_ADDR")) {
    rank = env("SLURM_PROCID"), world = env("SLURM_NTASKS"), local = env("SLURM_LOCALID");
    rank_name = "SLURM_PROCID", world_name = "SLURM_NTASKS";
  }
  if (!rank && !world) return std::nullopt;
  GANKIT_CHECK_USAGE(
      rank && world,
      "{} is set but {} is not: a launcher sets RANK, WORLD_SIZE, MASTER_ADDR and "
      "MASTER_PORT together (torchrun does; gan-train " GANKIT_SETTING("nproc") " N does it for one machine)",
      rank ? rank_name : world_name, rank ? world_name : rank_name);
  LaunchEnv e;
  e.world = env_int(world_name, *world, 1, 65536);
  e.rank = env_int(rank_name, *rank, 0, e.world - 1);
  e.local_rank = local ? env_int("LOCAL_RANK", *local, 0, 65535) : 0;
  const auto addr = env("MASTER_ADDR"), port = env("MASTER_PORT");
  GANKIT_CHECK_USAGE(addr && port, "{}={} {}={}: MASTER_ADDR and MASTER_PORT must name rank 0's host and a free port",
                     rank_name, e.rank, world_name, e.world);
  e.master_addr = *addr;
  e.master_port = env_int("MASTER_PORT", *port, 1, 65535);
  return e;
}

struct DataParallel::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<Group> group;
  std::string engine;
  // Where the small exchanges (losses, weight hashes) are made: NCCL reduces GPU tensors only.
  c10::Device exchange_device = c10::kCPU;
  void run(std::vector<at::Tensor>& tensors, c10d::ReduceOp op = c10d::ReduceOp::SUM) {
    group->allreduce(tensors, {op})->wait();
  }
};

namespace {

// NCCL for a CUDA device when this LibTorch has it; else Gloo (CPU tensors; a CUDA LibTorch's Gloo
// also takes CUDA tensors, staging them through the host). Null when neither applies.
c10::intrusive_ptr<Group> make_group(const LaunchEnv& e, const c10::intrusive_ptr<c10d::Store>& store,
                                     std::chrono::seconds timeout, const c10::Device& device, std::string& engine) {
#ifdef GANKIT_HAVE_NCCL
  if (device.is_cuda()) {
    c10::cuda::set_device(device.index());  // the GPU of NCCL's communicator and barrier
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    engine = "nccl";
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, e.rank, e.world, options);
  }
#endif
#ifdef GANKIT_HAVE_GLOO
  (void)device;  // Gloo takes any device's tensors
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  if (const auto ifname = env("GLOO_SOCKET_IFNAME"))
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(*ifname));
  else if (e.master_addr == "127.0.0.1" || e.master_addr == "localhost")
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  else
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  engine = "gloo";
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, e.rank, e.world, options);
#else
  (void)e, (void)store, (void)timeout, (void)engine;
  return {};
#endif
}

}  // namespace

DataParallel::DataParallel(const LaunchEnv& env_in, std::chrono::seconds timeout, const c10::Device& device_in)
    : env_(env_in), impl_(std::make_unique<Impl>()) {
  const c10::Device device = device_in.is_cuda() && !device_in.has_index() ? c10::Device(c10::kCUDA, 0) : device_in;
  try {
    c10d::TCPStoreOptions o;
    o.port = static_cast<uint16_t>(env_.master_port);
    o.isServer = env_.rank == 0;
    o.numWorkers = env_.world;
    o.timeout = timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, o);
    impl_->group = make_group(env_, impl_->store, timeout, device, impl_->engine);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail(ErrorKind::Data,
         fmt::format("rank {} of {}: cannot join the other ranks at {}:{} within {} s ({})", env_.rank, env_.world,
                     env_.master_addr, env_.master_port, timeout.count(), first_line(e.what())));
  }
  GANKIT_CHECK_USAGE(impl_->group,
                     "rank {} of {}: this LibTorch build has no c10d engine for data-parallel training on {}",
                     env_.rank, env_.world, device.str());
  if (impl_->engine == "nccl") impl_->exchange_device = device;
}

const std::string& DataParallel::engine() const { return impl_->engine; }

DataParallel::~DataParallel() {
#if defined(GANKIT_HAVE_NCCL) && (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4))
  // NCCL's communicators are released by shutdown(), not by the destructor (which warns).
  try {
    if (impl_->engine == "nccl") static_cast<c10d::ProcessGroupNCCL&>(*impl_->group).shutdown();
  } catch (const std::exception&) {  // a rank that lost the others ends anyway
  }
#endif
}

void DataParallel::lost(const std::exception& e) const {
  fail(ErrorKind::Data, fmt::format("rank {} of {}: lost contact with the other ranks ({}): one of them died or "
                                    "hangs; the last good checkpoint stays",
                                    env_.rank, env_.world, first_line(e.what())));
}

torch::Tensor DataParallel::part(const torch::Tensor& global) const {
  return global.slice(0, env_.rank, global.size(0), env_.world);
}

void DataParallel::average_gradients(const std::vector<torch::Tensor>& parameters) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  try {
    for (size_t i = 0; i < grads.size();) {  // buckets of consecutive tensors of one dtype and device
      size_t j = i;
      int64_t bytes = 0;
      while (j < grads.size() && grads[j].scalar_type() == grads[i].scalar_type() &&
             grads[j].device() == grads[i].device() && (j == i || bytes + grads[j].nbytes() <= kBucketBytes))
        bytes += static_cast<int64_t>(grads[j++].nbytes());
      const std::vector<at::Tensor> bucket(grads.begin() + static_cast<std::ptrdiff_t>(i),
                                           grads.begin() + static_cast<std::ptrdiff_t>(j));
      std::vector<at::Tensor> flat = {at::flatten_dense_tensors(bucket)};
      impl_->run(flat);
      flat[0].div_(env_.world);
      const auto back = at::unflatten_dense_tensors(flat[0], bucket);
      for (size_t k = 0; k < bucket.size(); ++k) bucket[k].copy_(back[k]);
      i = j;
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    lost(e);
  }
}

void DataParallel::broadcast(const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  try {
    for (const auto& t : tensors) {
      // NCCL sends GPU tensors only: a host tensor (a setting rank 0 decides) goes by the GPU.
      const bool via_gpu = impl_->exchange_device.is_cuda() && !t.is_cuda();
      std::vector<at::Tensor> one = {via_gpu ? t.to(impl_->exchange_device) : t.contiguous()};
      impl_->group->broadcast(one)->wait();
      if (!t.is_same(one[0])) t.copy_(one[0]);
    }
  } catch (const std::exception& e) {
    lost(e);
  }
}

std::vector<double> DataParallel::average(const std::vector<double>& values) {
  std::vector<at::Tensor> t = {torch::tensor(values, torch::kFloat64).to(impl_->exchange_device)};
  try {
    impl_->run(t);
  } catch (const std::exception& e) {
    lost(e);
  }
  const torch::Tensor mean = t[0].div(env_.world).to(torch::kCPU);
  return std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
}

void DataParallel::check_same(const std::vector<torch::Tensor>& tensors, int64_t step) {
  uint64_t h = kFnv1aBasis;
  for (const auto& t : tensors) {
    const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    h = fnv1a(h, static_cast<const uint8_t*>(c.data_ptr()), c.nbytes());
  }
  // Two 32-bit halves: exact in float64; equal on every rank exactly when max == min.
  const double halves[2] = {static_cast<double>(h >> 32), static_cast<double>(h & 0xffffffffu)};
  std::vector<at::Tensor> hi = {torch::tensor({halves[0], halves[1]}, torch::kFloat64).to(impl_->exchange_device)};
  std::vector<at::Tensor> lo = {hi[0].clone()};
  try {
    impl_->run(hi, c10d::ReduceOp::MAX);
    impl_->run(lo, c10d::ReduceOp::MIN);
  } catch (const std::exception& e) {
    lost(e);
  }
  GANKIT_CHECK_DATA(torch::equal(hi[0], lo[0]),
                    "rank {} of {}: the ranks' weights differ at step {} (they must stay identical to the bit): a "
                    "rank computed differently (another device, library or thread count?)",
                    env_.rank, env_.world, step);
}

void DataParallel::barrier() {
  try {
    c10d::BarrierOptions options;
    if (impl_->exchange_device.is_cuda()) options.device_ids = {impl_->exchange_device.index()};
    impl_->group->barrier(options)->wait();
  } catch (const std::exception& e) {
    lost(e);
  }
}

}  // namespace gankit
