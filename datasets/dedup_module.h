// The interface between gan-data and its LibTorch module (libgankit_data_torch.so): training the
// de-duplication autoencoder and hashing thumbnails with it. The module is loaded with dlopen on
// first use (lib/module_loader.h), so the other gan-data commands never load LibTorch. Internal
// to gankit::datasets.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hash_autoencoder_options.h"
#include "semantic_hash.h"

namespace gankit {

constexpr int kDataTorchModuleVersion = 4;

struct AutoencoderTrainResult {
  std::vector<double> epoch_loss;
  double clean_loss = 0;
  double seconds = 0;
  // The codes of the training sample after training:
  double mean_bits = 0;  // bits set per image
  int dead_units = 0;    // never active
  int always_units = 0;  // always active
  int64_t distinct = 0;  // different hashes among the sample
};

// Hashes thumbnails (kThumbnailBytes each, CHW) with a trained model.
class ThumbnailHasher {
 public:
  virtual ~ThumbnailHasher() = default;
  // With probe_bits > 0, also writes each image's probe_bits least confident bits to
  // uncertain[i * probe_bits ...] and their flip distances to distance[i * probe_bits ...],
  // nearest first, for group_with_probes. The flip distance of bit j is how far the thumbnail
  // must move to change it: the distance from the standardised input to unit j's hyperplane,
  // |pre-activation_j| / ||W_j||, in RMS grey levels over the 3072 values (exact for a move along
  // W_j; any other move must be larger). With `position`, also each image's code position
  // (kHashCodeUnits values from position[i * kHashCodeUnits]): those distances signed, positive
  // where the bit is set (code_positions in hash_autoencoder.h), for verification.
  virtual void hash(const uint8_t* thumbnails, int64_t n, Hash128* out, uint8_t* uncertain, float* distance,
                    int probe_bits, float* position) = 0;
  virtual const nlohmann::json& meta() const = 0;  // the model's meta record
};

struct DataTorchModule {
  int version;
  // Trains on `thumbnails` (n * 3072 bytes) and writes the model to `out` (atomically), with
  // `extra` (provenance) in its meta record. `quiet` silences the per-epoch log on stderr.
  AutoencoderTrainResult (*train)(const std::vector<uint8_t>& thumbnails, const HashAutoencoderOptions& options,
                                  const std::string& device, int threads, const std::filesystem::path& out,
                                  const nlohmann::json& extra, bool quiet);
  std::unique_ptr<ThumbnailHasher> (*open_hasher)(const std::filesystem::path& model, const std::string& device,
                                                  int threads);
};

// The loaded module (Error(Internal) when it cannot be loaded).
const DataTorchModule& data_torch_module();

}  // namespace gankit

extern "C" const gankit::DataTorchModule* gankit_data_torch_module();
