// DataParallel — this process's share of data-parallel training on LibTorch's torch.distributed
// (c10d): a TCPStore rendezvous and a process group: NCCL for a CUDA device when LibTorch has it
// (a CUDA LibTorch), else Gloo (CPU tensors; a CUDA LibTorch's Gloo stages CUDA tensors through
// the host). Debian's LibTorch has Gloo alone.
//
// Every rank holds the same networks. A global minibatch of B images is split by rows: rank r of
// W takes rows r, r + W, r + 2W, ... (B / W rows), of the images and of every random draw of the
// step (z, the penalty's interpolation weights), which every rank draws whole from the step's
// seed. So ProGAN's minibatch-stddev groups (strided, size 4) stay what one process would form,
// and losses that are means over the minibatch give, averaged over the ranks, one process's
// gradients. Gradients are averaged before every optimiser step in flat buckets of at most
// 25 MB (DistributedDataParallel's technique: one all-reduce per bucket, not per tensor).
// BatchNorm statistics stay per rank (PyTorch DDP's default).
//
// Launching: the variables of torchrun and other launchers, RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT (or SLURM's SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID beside
// MASTER_ADDR and MASTER_PORT). GLOO_SOCKET_IFNAME picks the network interface.
#pragma once

#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gankit {

struct LaunchEnv {
  int rank = 0, world = 1, local_rank = 0;
  std::string master_addr;
  int master_port = 0;
};

// The launcher's variables, or nullopt when none is set (one process). Throws Error(Usage) naming
// the variable when they are incomplete or invalid (WORLD_SIZE without RANK, RANK >= WORLD_SIZE,
// no MASTER_ADDR / MASTER_PORT, a port outside 1..65535).
std::optional<LaunchEnv> launch_env_from_environment();

class DataParallel {
 public:
  // Joins the process group; all ranks must call it within `timeout`, which also bounds every
  // later collective (a rank that hangs). `device` is where this rank trains ("cuda" means
  // cuda:0): it picks the engine. Throws Error(Data) naming this rank and the master when the
  // rendezvous fails, Error(Usage) when this LibTorch has no engine for `device`.
  DataParallel(const LaunchEnv& env, std::chrono::seconds timeout, const c10::Device& device);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return env_.rank; }
  int world() const { return env_.world; }
  // "nccl" or "gloo".
  const std::string& engine() const;
  // Rows rank, rank + W, ... of a global minibatch (or random draw) along dimension 0.
  torch::Tensor part(const torch::Tensor& global) const;
  // Replaces each gradient by its mean over the ranks (parameters without a gradient are skipped,
  // the same on every rank).
  void average_gradients(const std::vector<torch::Tensor>& parameters);
  // Copies rank 0's values into these tensors on every rank (weights at the start), wherever
  // they live (host tensors go by the GPU under NCCL).
  void broadcast(const std::vector<torch::Tensor>& tensors);
  // Means over the ranks of a few numbers (the logged losses).
  std::vector<double> average(const std::vector<double>& values);
  void barrier();
  // Throws Error(Data) when the ranks' tensors differ anywhere (a 64-bit hash of their bytes,
  // compared over the ranks): data-parallel training keeps every rank's weights identical to the
  // bit, and a rank whose weights drifted would train another model without a word.
  void check_same(const std::vector<torch::Tensor>& tensors, int64_t step);

 private:
  struct Impl;
  [[noreturn]] void lost(const std::exception& e) const;
  LaunchEnv env_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gankit
