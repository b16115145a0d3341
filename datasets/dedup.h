// De-duplication (DCGAN's LSUN procedure; spec DATASETS.md "De-duplication"): train the
// 3072-128-3072 hashing autoencoder on a dataset's 32x32 centre-crop thumbnails, hash every
// image (128-bit semantic hash: code unit > 0), group equal hashes in linear time, keep the first
// image of each group. Inputs are never modified: the results are a groups file, a keep list and,
// on request, a de-duplicated copy of the dataset.
//
// Inputs: our HDF5 pyramid (.h5), or any importer format (image folder, LSUN lmdb, IDX, CIFAR-10,
// SVHN, CelebA). Images that cannot be decoded are skipped, named and counted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "dedup_thresholds.h"
#include "hash_autoencoder_options.h"
#include "hdf5_store.h"
#include "progress.h"
#include "thumbnails.h"

namespace gankit {

// Fewer readable images than this cannot train the autoencoder (786k weights): an error.
constexpr int64_t kMinDedupTrainImages = 1000;

struct DedupTrainOptions {
  DatasetInputOptions input;
  int64_t samples = 100000;  // training sample size (uniform over the dataset)
  HashAutoencoderOptions autoencoder;
  std::string device = "cpu";
  int threads = 0;  // 0 = all cores
  bool overwrite = false;
  ProgressOptions progress;
};

struct DedupTrainSummary {
  std::string format;
  int64_t records = 0;  // dataset records seen (-1 when sampled by index without a pass)
  int64_t unreadable = 0;
  int64_t samples = 0;
  int epochs = 0;  // trained (resolved from --epochs 0: auto)
  bool epochs_auto = false;
  std::vector<double> epoch_loss;
  double clean_loss = 0;
  double mean_bits = 0;
  int dead_units = 0;
  int always_units = 0;
  int64_t distinct = 0;  // different hashes among the training sample
  double seconds = 0;    // whole command
  double train_seconds = 0;
};

// Trains on a sample of `input` and writes the model to `model` (a LibTorch archive; refused when
// it exists unless overwrite). Throws Error(Data) for fewer than kMinDedupTrainImages images.
DedupTrainSummary train_dedup_model(const std::filesystem::path& input, const std::filesystem::path& model,
                                    const DedupTrainOptions& options);

enum class DedupMethod { Autoencoder, Exact };
DedupMethod parse_dedup_method(const std::string& name);  // "ae" | "exact"; Error(Usage) otherwise
// DedupGrouping::probe_distance and verify_angle in reports: the limit, or null for none.
nlohmann::json limit_json(double limit);

// How images are grouped into near-duplicates.
struct DedupGrouping {
  DedupMethod method = DedupMethod::Autoencoder;
  std::filesystem::path model;  // required for the autoencoder method
  int radius = 0;               // Hamming radius of a group (0 = equal hashes; see semantic_hash.h)
  int probe = 0;                // > 0: multi-probe on this many least confident bits instead (group_with_probes)
  // probe > 0: only probes no farther than this (RMS grey levels; infinity = all 2^probe)
  double probe_distance = std::numeric_limits<double>::infinity();
  // probe > 0: a hit counts only when the two images' code positions are at most this many
  // degrees apart (verification, see group_with_probes; infinity = none)
  double verify_angle = std::numeric_limits<double>::infinity();
  // probe > 0: a hit counts only when the two images' sketches (sketch.h) are at most this many
  // grey levels apart (infinity = no check)
  double verify_pixels = std::numeric_limits<double>::infinity();
  // > 0: verify_angle and verify_pixels are chosen from the dataset so that the estimated share
  // of wrong removals stays below 1 - target_precision (dedup_thresholds.h); without probe,
  // probe 24 within probe_distance 0.7
  double target_precision = 0;
};

// The files hash_dataset writes.
struct DedupOutputs {
  std::filesystem::path groups;  // JSON: every group of two or more images with one hash
  std::filesystem::path keep;    // text: the names of the images kept, one per line
  std::filesystem::path apply;   // optional: the de-duplicated dataset as an HDF5 pyramid
  std::filesystem::path report;  // optional: a contact sheet (PNG) of the groups to check first (dedup_report.h)
  bool overwrite = false;
};

// How `apply` imports an input that is not an HDF5 pyramid (as gan-data import does).
struct DedupImport {
  int resolution = 0;
  bool center_crop = false;
  std::string resize_filter = "area";
  Compression compression;
};

struct DedupHashOptions {
  DatasetInputOptions input;
  DedupGrouping grouping;
  DedupOutputs outputs;
  DedupImport apply_import;
  std::string device = "cpu";  // where the autoencoder runs
  int threads = 0;
  ProgressOptions progress;
};

struct DedupHashSummary {
  std::string format;
  int64_t records = 0;
  int64_t hashed = 0;
  int64_t unreadable = 0;
  int64_t groups = 0;   // groups of two or more
  int64_t removed = 0;  // images not kept
  int64_t kept = 0;
  int64_t largest_group = 0;
  int64_t applied = 0;              // images written by --apply
  DedupGrouping grouping;           // the settings used (with target_precision: as chosen)
  VerificationChoice verification;  // with target_precision: the settings chosen and the estimate
  double largest_spread = 0;        // of any group (dedup_report.h), grey levels
  int64_t spread_over_4 = 0;        // groups whose spread is over 4 grey levels: worth a look
  double hash_seconds = 0;          // reading + hashing + grouping
  double seconds = 0;
};

// gan-data dedup hash without grouping options: --target-precision this.
constexpr double kDefaultTargetPrecision = 0.99;
// --target-precision without --probe: these probe settings.
constexpr int kTargetProbe = 24;
constexpr double kTargetProbeDistance = 0.7;

DedupHashSummary hash_dataset(const std::filesystem::path& input, const DedupHashOptions& options);

// A --target-precision choice as reports and GROUPS.json give it.
nlohmann::json verification_json(const VerificationChoice& v);

}  // namespace gankit
