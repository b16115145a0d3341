// The projection GEMM's floor for `gan-eval swd` on this machine: the time of exactly the SGEMM
// calls the CPU backend makes for two sets of N images of H x W (2 sets x levels x 4 repeats x
// 128 / kSwdDirChunk chunks x N * 128 / kSwdDescBlock blocks, each kSwdDirChunk directions by
// kSwdDescBlock descriptors by 147), issued the same way (an OpenMP loop over blocks, OpenBLAS
// single-threaded inside each call), twice:
//   in cache   every call on a block of its thread that stays in cache: the arithmetic alone, the
//              time no SWD on this machine can beat with these GEMMs
//   streamed   the calls over two descriptor arrays of SWD's size, read from memory block by block
//              as SWD reads them: the GEMM part of SWD as it runs
// Usage: bench_swd_floor [N=4096] [H=128]
#include <cblas.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "buffer.h"
#include "swd.h"
#include "swd_plan.h"

namespace {

using namespace gankit;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs `passes` passes of the chunk GEMMs over both sets' blocks; `streamed` reads the blocks of
// `desc` in turn, else each thread keeps using its own first block.
double run(const FloatBuffer& desc, int64_t blocks_per_set, int passes, bool streamed) {
  std::vector<float> dirs(static_cast<size_t>(kSwdDirChunk) * kSwdDim, 0.01f);
  const auto t0 = std::chrono::steady_clock::now();
  for (int pass = 0; pass < passes; ++pass) {
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t blk = 0; blk < 2 * blocks_per_set; ++blk) {
      thread_local std::vector<float> out(static_cast<size_t>(kSwdDirChunk) * kSwdDescBlock);
      const int64_t row =
          streamed ? blk * kSwdDescBlock : (omp_get_thread_num() % (2 * blocks_per_set)) * kSwdDescBlock;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, kSwdDirChunk, kSwdDescBlock, kSwdDim, 1.0f, dirs.data(),
                  kSwdDim, desc.data() + static_cast<size_t>(row) * kSwdDim, kSwdDim, 0.0f, out.data(), kSwdDescBlock);
    }
  }
  return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 4096;
  const int h = argc > 2 ? std::atoi(argv[2]) : 128;
  if (n < 1 || h < 16) {
    std::fprintf(stderr, "usage: bench_swd_floor [N>=1] [H>=16]\n");
    return 2;
  }
  const int levels = static_cast<int>(swd_resolutions(h).size());
  const int64_t blocks_per_set = (n * kSwdPatches + kSwdDescBlock - 1) / kSwdDescBlock;
  const int passes = levels * kSwdRepeats * (kSwdDirs / kSwdDirChunk);  // per set, as SWD makes them
  // Both sets' descriptors, as SWD holds them (values do not change an SGEMM's speed).
  FloatBuffer desc(static_cast<size_t>(2 * blocks_per_set * kSwdDescBlock) * kSwdDim);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < static_cast<int64_t>(desc.size()); ++i) desc[static_cast<size_t>(i)] = (i % 977) * 1e-3f;
  const double gflop = 2.0 * passes * 2 * blocks_per_set * kSwdDescBlock * kSwdDirChunk * kSwdDim / 1e9;
  std::printf(
      "SWD projection GEMMs for 2 x %lld images of %dx%d: %d levels, %d passes per set of %d x %d x %d calls, "
      "%.0f GFLOP, %d threads\n",
      static_cast<long long>(n), h, h, levels, passes, kSwdDirChunk, kSwdDescBlock, kSwdDim, gflop,
      omp_get_max_threads());
  run(desc, blocks_per_set, 1, false);  // warm-up: thread pools, first touches
  const double cached = run(desc, blocks_per_set, passes, false);
  const double streamed = run(desc, blocks_per_set, passes, true);
  std::printf("in cache  %6.2f s  %6.1f GFLOP/s\n", cached, gflop / cached);
  std::printf("streamed  %6.2f s  %6.1f GFLOP/s\n", streamed, gflop / streamed);
  return 0;
}
