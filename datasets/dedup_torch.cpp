// libgankit_data_torch.so: the LibTorch side of gan-data dedup.
#include <fmt/format.h>
#include <torch/types.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

#include "dedup_module.h"
#include "device.h"
#include "hash_autoencoder.h"
#include "thumbnails.h"

namespace gankit {

namespace {

torch::Tensor as_tensor(const uint8_t* thumbnails, int64_t n) {
  return torch::from_blob(const_cast<uint8_t*>(thumbnails), {n, kThumbnailBytes}, torch::kUInt8);
}

// The hashes of n thumbnails into `out`; with probe_bits > 0 also, per image, the indices of its
// probe_bits least confident bits (smallest flip distance, nearest first) into `uncertain` and
// their flip distances into `distance`; with `position` its code positions (n * 128).
void hashes_of(HashAutoencoder& model, const uint8_t* thumbnails, int64_t n, Hash128* out, uint8_t* uncertain = nullptr,
               float* distance = nullptr, int probe_bits = 0, float* position = nullptr) {
  constexpr int64_t kChunk = 4096;
  std::array<uint8_t, kHashCodeUnits> by_confidence;
  for (int64_t s = 0; s < n; s += kChunk) {
    const int64_t b = std::min(kChunk, n - s);
    const torch::Tensor pre = hash_preactivations(model, as_tensor(thumbnails + s * kThumbnailBytes, b)).contiguous();
    const float* p = pre.data_ptr<float>();
    torch::Tensor where, dist;
    if (probe_bits > 0 || position) {
      where = code_positions(model, pre).contiguous();
      dist = where.abs();
    }
    if (position) std::copy_n(where.data_ptr<float>(), b * kHashCodeUnits, position + s * kHashCodeUnits);
    for (int64_t i = 0; i < b; ++i) {
      const float* code = p + i * kHashCodeUnits;
      out[s + i] = binarize_code({code, static_cast<size_t>(kHashCodeUnits)});
      if (probe_bits == 0) continue;
      const float* flip = dist.data_ptr<float>() + i * kHashCodeUnits;
      std::iota(by_confidence.begin(), by_confidence.end(), uint8_t{0});
      // Ties by bit index: the same order on any machine.
      std::partial_sort(by_confidence.begin(), by_confidence.begin() + probe_bits, by_confidence.end(),
                        [&](uint8_t x, uint8_t y) { return flip[x] < flip[y] || (flip[x] == flip[y] && x < y); });
      for (int k = 0; k < probe_bits; ++k) {
        uncertain[(s + i) * probe_bits + k] = by_confidence[static_cast<size_t>(k)];
        distance[(s + i) * probe_bits + k] = flip[by_confidence[static_cast<size_t>(k)]];
      }
    }
  }
}

std::vector<Hash128> hashes_of(HashAutoencoder& model, const uint8_t* thumbnails, int64_t n) {
  std::vector<Hash128> out(static_cast<size_t>(n));
  hashes_of(model, thumbnails, n, out.data());
  return out;
}

AutoencoderTrainResult train(const std::vector<uint8_t>& thumbnails, const HashAutoencoderOptions& options,
                             const std::string& device_name, int threads, const std::filesystem::path& out,
                             const nlohmann::json& extra, bool quiet) {
  set_torch_threads(threads);
  const c10::Device device = torch_device(device_name);
  const int64_t n = static_cast<int64_t>(thumbnails.size() / kThumbnailBytes);
  HashAutoencoder model;
  const HashTrainStats stats =
      train_hash_autoencoder(model, as_tensor(thumbnails.data(), n), options, device, [&](int epoch, double loss) {
        if (!quiet) std::fprintf(stderr, "epoch %d/%d: loss %.5f\n", epoch + 1, options.epochs, loss);
      });
  AutoencoderTrainResult r;
  r.epoch_loss = stats.epoch_loss;
  r.clean_loss = stats.clean_loss;
  r.seconds = stats.seconds;
  // Bit statistics of the sample's hashes.
  const std::vector<Hash128> h = hashes_of(model, thumbnails.data(), n);
  std::vector<int64_t> on(kHashCodeUnits, 0);
  double bits = 0;
  for (const Hash128& x : h) {
    bits += x.popcount();
    for (int i = 0; i < 64; ++i) {
      on[static_cast<size_t>(i)] += (x.hi >> (63 - i)) & 1;
      on[static_cast<size_t>(64 + i)] += (x.lo >> (63 - i)) & 1;
    }
  }
  r.mean_bits = bits / static_cast<double>(std::max<int64_t>(n, 1));
  for (int64_t c : on) {
    r.dead_units += c == 0;
    r.always_units += c == n;
  }
  r.distinct = group_duplicates(h).distinct;
  nlohmann::json meta_extra = extra;
  meta_extra["sample_bits"] = {{"mean_bits", r.mean_bits},
                               {"dead_units", r.dead_units},
                               {"always_units", r.always_units},
                               {"distinct", r.distinct}};
  save_hash_autoencoder(out, model, options, stats, meta_extra);
  return r;
}

class ModelHasher : public ThumbnailHasher {
 public:
  ModelHasher(const std::filesystem::path& path, const std::string& device, int threads) {
    set_torch_threads(threads);
    model_ = load_hash_autoencoder(path, torch_device(device), &meta_);
  }
  void hash(const uint8_t* thumbnails, int64_t n, Hash128* out, uint8_t* uncertain, float* distance, int probe_bits,
            float* position) override {
    hashes_of(model_, thumbnails, n, out, uncertain, distance, probe_bits, position);
  }
  const nlohmann::json& meta() const override { return meta_; }

 private:
  HashAutoencoder model_{nullptr};
  nlohmann::json meta_;
};

std::unique_ptr<ThumbnailHasher> open_hasher(const std::filesystem::path& model, const std::string& device,
                                             int threads) {
  return std::make_unique<ModelHasher>(model, device, threads);
}

}  // namespace

}  // namespace gankit

extern "C" const gankit::DataTorchModule* gankit_data_torch_module() {
  static const gankit::DataTorchModule module{gankit::kDataTorchModuleVersion, &gankit::train, &gankit::open_hasher};
  return &module;
}
