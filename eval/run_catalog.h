// What gan-eval compare reads of a gan-train run folder, without LibTorch: its settings
// (config.json), its training log (log.jsonl), its kept checkpoints and its measured metrics
// (metrics.jsonl).
//
// A run folder RUN holds config.json, log.jsonl and checkpoints/: step_NNNNNN.pt (--keep-every),
// phaseNN_RxR_*.pt (ProGAN, the end of each phase) and latest.pt. A checkpoint file may be given
// instead of a folder: inside RUN/checkpoints/ it is measured as part of RUN, elsewhere its own
// folder stands in for the run (no settings, no log).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gankit {

struct CheckpointFile {
  std::filesystem::path path;
  std::string name;        // relative to the run folder: "checkpoints/step_000600.pt"
  int64_t step_hint = -1;  // from step_NNNNNN.pt; -1 for latest.pt and ProGAN phases
  int level_hint = 0;      // ProGAN phaseNN_RxR_*.pt: R, the level the phase trained (0 otherwise)
  uint64_t size = 0;       // with mtime_ns: a rewritten file is measured again
  int64_t mtime_ns = 0;
};

struct RunFolder {
  std::filesystem::path dir;                // where metrics.jsonl lives
  std::string name;                         // for tables: the folder's name (made unique by the caller)
  nlohmann::json config;                    // config.json ({} when absent)
  std::vector<nlohmann::json> log;          // log.jsonl records
  std::vector<CheckpointFile> checkpoints;  // step files by step, then phases, then latest.pt
  std::filesystem::path metrics_path() const { return dir / "metrics.jsonl"; }
};

// Throws Error(Data) naming the path when it is neither a run folder (config.json or
// checkpoints/) nor a checkpoint file, or holds no checkpoint.
RunFolder open_run_folder(const std::filesystem::path& run_or_checkpoint);

// The settings (config.json keys, flattened to text) whose values are not the same in every run,
// in key order; bookkeeping keys (versions, fingerprints, data changes) are left out.
std::vector<std::string> differing_settings(const std::vector<RunFolder>& runs);
// "key=value" of `keys` for one run, for the leaderboard.
std::string describe_settings(const RunFolder& run, const std::vector<std::string>& keys);

}  // namespace gankit
