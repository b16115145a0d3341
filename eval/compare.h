// gan-eval compare: several gan-train runs measured against one real set, checkpoint by
// checkpoint, with repeated independent draws, so that a difference between runs can be told
// from the metric's own noise.
//
// FID, KID and PRDC (--metrics fid,kid,prdc with a backbone) compare each draw's N samples with
// the same first N real images through the backbone (the real features are computed once and kept
// in the cache folder as a statistics file); their noise floor compares real images [0, N) with
// [N, 2N). KID draws its subsets (100 of min(N, 1000)) with the draw's seed; PRDC uses k = 3 / 5.
//
// Draw r of a checkpoint uses seed S + r for the latents and for SWD's random directions, so each
// number is what `gan-train sample --seed S+r --num N` followed by `gan-eval swd REAL fake
// --num-images N --seed S+r` (and `gan-eval msssim fake`) print. The real images are the first N
// of REAL's level at the checkpoint's resolution; the SWD noise floor compares them with the next
// N (images N .. 2N-1), with the same seeds; the real MS-SSIM is that of the first N.
//
// Results are appended to RUN/metrics.jsonl, one line per checkpoint x metric x draw (the
// checkpoint file's name, size and modification time, N, the draw's seed and REAL's fingerprint
// identify it), as soon as each is measured: a later call measures only what is missing, and an
// interrupted one loses at most the checkpoint being measured.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backbone.h"
#include "estimate.h"
#include "progress.h"
#include "run_catalog.h"

namespace gankit {

struct CompareOptions {
  std::filesystem::path real;  // an HDF5 pyramid
  std::vector<std::filesystem::path> runs;
  int64_t num_images = 4096;                             // N per draw
  std::vector<std::string> metrics = {"swd", "msssim"};  // and fid, kid, prdc (need `backbone`)
  BackboneSpec backbone;            // the feature network of fid, kid and prdc (device and threads as below)
  std::string rank_by;              // swd | fid | kid ("" = the first of these measured)
  std::string checkpoints = "all";  // all | latest | best (one draw each, the repeats for the best)
  int repeats = 3;
  uint32_t seed = 1;
  std::string device = "cpu";       // where the generators run
  int threads = 0;                  // 0 = all cores
  bool skip_bad = false;            // a corrupt checkpoint is named and left out
  std::filesystem::path cache_dir;  // real-set statistics and sample grids ("" = none)
  ProgressOptions progress;
};

// The value names of one checkpoint: "swd_avg", "swd_<R>" per SWD level, "msssim", "fid", "kid",
// "kid_std", "precision", "recall", "density", "coverage".
struct CheckpointScore {
  std::string name;  // checkpoints/step_000600.pt
  int64_t step = 0;
  double kimg = 0, seconds = 0;
  int resolution = 0;
  std::map<std::string, std::vector<double>> draws;
  std::map<std::string, Estimate> values;
  std::filesystem::path grid;  // an 8x8 grid of draw 0's first images (in the cache), or ""
};

struct RunScore {
  RunFolder run;
  std::vector<CheckpointScore> checkpoints;  // in training order
  int best = -1;                             // index of the lowest mean ranking value (else the last checkpoint)
  std::string verdict;                       // best | within noise of the best | worse than the best | n/a (one draw)
  std::vector<std::string> notes;
};

struct RealScore {
  int resolution = 0;
  // "swd_floor_avg", "swd_floor_<R>", "msssim"; "floor_fid", "floor_kid", "floor_precision", ...
  std::map<std::string, std::vector<double>> draws;
  std::map<std::string, Estimate> values;
};

struct Comparison {
  CompareOptions options;
  std::string rank_key;  // the value runs are ranked by: swd_avg, fid or kid (lower is better)
  std::string backbone;  // BackboneIdentity::describe() when feature metrics were measured
  std::string real_fingerprint;
  std::vector<RunScore> runs;  // leaderboard order: best SWD first
  std::map<int, RealScore> real;
  std::vector<std::string> differing;  // settings that differ between runs
  int measured = 0, reused = 0;        // checkpoint draws measured now / found in metrics.jsonl
  double seconds = 0;
};

// Throws Error(Usage) for bad options, Error(Data) naming the file for a bad run, checkpoint
// (unless skip_bad), REAL, or a malformed metrics.jsonl line.
Comparison compare_runs(const CompareOptions& options);

// $XDG_CACHE_HOME/gankit, else ~/.cache/gankit, else "" (no cache).
std::filesystem::path default_compare_cache_dir();

nlohmann::json to_json(const Comparison& comparison);

}  // namespace gankit
