#include "data_parallel.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cstdlib>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "error.h"
#include "fnv1a.h"

namespace gankit {

namespace {

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
  GANKIT_CHECK_USAGE(rank && world,
                     "{} is set but {} is not: a launcher sets RANK, WORLD_SIZE, MASTER_ADDR and "
                     "MASTER_PORT together (torchrun does; gan-train --nproc N does it for one machine)",
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
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  void run(std::vector<at::Tensor>& tensors) { group->allreduce(tensors)->wait(); }
};

DataParallel::DataParallel(const LaunchEnv& env_in, std::chrono::seconds timeout)
    : env_(env_in), impl_(std::make_unique<Impl>()) {
  try {
    c10d::TCPStoreOptions o;
    o.port = static_cast<uint16_t>(env_.master_port);
    o.isServer = env_.rank == 0;
    o.numWorkers = env_.world;
    o.timeout = timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, o);
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    if (const auto ifname = env("GLOO_SOCKET_IFNAME"))
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(*ifname));
    else if (env_.master_addr == "127.0.0.1" || env_.master_addr == "localhost")
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env_.rank, env_.world, options);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail(ErrorKind::Data,
         fmt::format("rank {} of {}: cannot join the other ranks at {}:{} within {} s ({})", env_.rank, env_.world,
                     env_.master_addr, env_.master_port, timeout.count(), first_line(e.what())));
  }
}

DataParallel::~DataParallel() = default;

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
      std::vector<at::Tensor> one = {t.contiguous()};
      impl_->group->broadcast(one)->wait();
      if (!t.is_same(one[0])) t.copy_(one[0]);
    }
  } catch (const std::exception& e) {
    lost(e);
  }
}

std::vector<double> DataParallel::average(const std::vector<double>& values) {
  std::vector<at::Tensor> t = {torch::tensor(values, torch::kFloat64)};
  try {
    impl_->run(t);
  } catch (const std::exception& e) {
    lost(e);
  }
  t[0].div_(env_.world);
  return std::vector<double>(t[0].data_ptr<double>(), t[0].data_ptr<double>() + t[0].numel());
}

void DataParallel::check_same(const std::vector<torch::Tensor>& tensors, int64_t step) {
  uint64_t h = kFnv1aBasis;
  for (const auto& t : tensors) {
    const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    h = fnv1a(h, static_cast<const uint8_t*>(c.data_ptr()), c.nbytes());
  }
  // Two 32-bit halves: exact in float64; equal on every rank exactly when max == min.
  const double halves[2] = {static_cast<double>(h >> 32), static_cast<double>(h & 0xffffffffu)};
  std::vector<at::Tensor> hi = {torch::tensor({halves[0], halves[1]}, torch::kFloat64)};
  std::vector<at::Tensor> lo = {hi[0].clone()};
  try {
    impl_->group->allreduce(hi, {c10d::ReduceOp::MAX})->wait();
    impl_->group->allreduce(lo, {c10d::ReduceOp::MIN})->wait();
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
    impl_->group->barrier()->wait();
  } catch (const std::exception& e) {
    lost(e);
  }
}

}  // namespace gankit
