#include "real_images.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "error.h"
#include "hdf5_store.h"
#include "image_tensor.h"
#include "rng.h"

namespace gankit {

namespace {
constexpr uint64_t kShuffleStream = 0x5348554646ull;  // "SHUFF"
}

RealImages::RealImages(const std::filesystem::path& file, int resolution, int batch, uint64_t seed,
                       ProgressOptions progress, DataPolicy policy)
    : cache_bytes_(policy.cache_bytes), resolution_(resolution), batch_(batch), seed_(seed) {
  PyramidReader reader(file);
  reader.require_level(resolution);
  count_ = reader.count();
  channels_ = reader.channels();
  const int64_t n = count_;
  GANKIT_CHECK_DATA(n >= batch,
                    "{}: {} images, fewer than one minibatch of {} (use a smaller " GANKIT_SETTING("batch") ")",
                    file.string(), n, batch);
  const int64_t image_bytes = static_cast<int64_t>(channels_) * resolution * resolution;
  const double bytes = static_cast<double>(n) * static_cast<double>(image_bytes);
  const bool in_memory = policy.residency == DataResidency::Memory ||
                         (policy.residency == DataResidency::Auto && bytes <= static_cast<double>(policy.cache_bytes));
  if (!in_memory) {
    GANKIT_CHECK_USAGE(
        2 * 2 * batch * image_bytes <= policy.cache_bytes,
        GANKIT_SETTING("data_cache_mb") " {}: streaming {}x{} images needs two windows of at least two minibatches of {} ({:.1f} MB)",
        policy.cache_bytes >> 20, resolution, resolution, batch, static_cast<double>(4 * batch * image_bytes) / 1e6);
    const StreamLayout layout =
        stream_layout(n, image_bytes, reader.chunk_images(resolution), policy.cache_bytes, 2 * batch);
    stream_ = std::make_unique<LevelStream>(file, resolution, seed, layout);
    return;
  }
  const double ram = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  GANKIT_CHECK_DATA(bytes < 0.8 * ram,
                    "{}: level {}x{} holds {:.1f} GB, more than this machine's memory ({:.1f} GB): stream it "
                    "(" GANKIT_SETTING("data_in_memory") " auto or off)",
                    file.string(), resolution, resolution, bytes / 1e9, ram / 1e9);
  images_ = ImageBatch(n, channels_, resolution, resolution);
  Progress bar("load data", n, progress);
  constexpr int64_t kBlock = 4096;
  for (int64_t start = 0; start < n; start += kBlock) {
    const ImageBatch part = reader.read(resolution, start, std::min(kBlock, n - start));
    std::memcpy(images_.image(start), part.data.data(), part.data.size());
    bar.add(part.n);
  }
  bar.finish();
}

RealImages::~RealImages() = default;

std::string RealImages::describe() const {
  if (!stream_) return fmt::format("in memory ({:.1f} MB)", static_cast<double>(images_.data.size()) / 1e6);
  return fmt::format("streamed (windows of {} images in runs of {}, {} MB cache)", stream_->layout().window,
                     stream_->layout().run, cache_bytes_ >> 20);
}

void RealImages::shuffle(int64_t epoch) {
  if (epoch != epoch_) {
    order_.resize(static_cast<size_t>(count_));
    std::iota(order_.begin(), order_.end(), int64_t{0});
    const uint64_t base = derive_seed(seed_, kShuffleStream, static_cast<uint64_t>(epoch));
    for (int64_t i = count_ - 1; i > 0; --i) {  // Fisher-Yates, counter-based SplitMix64 draws
      const uint64_t r = splitmix64(base + static_cast<uint64_t>(i));
      std::swap(order_[static_cast<size_t>(i)], order_[static_cast<size_t>(r % static_cast<uint64_t>(i + 1))]);
    }
    epoch_ = epoch;
  }
}

std::vector<int64_t> RealImages::batch_indices(int64_t k) {
  const int64_t per_epoch = batches_per_epoch();
  const int64_t epoch = k / per_epoch, slot = k % per_epoch;
  std::vector<int64_t> out(static_cast<size_t>(batch_));
  if (stream_) {
    for (int i = 0; i < batch_; ++i)
      out[static_cast<size_t>(i)] = stream_->index_at(epoch * count_ + slot * batch_ + i);
    return out;
  }
  shuffle(epoch);
  std::copy(order_.begin() + slot * batch_, order_.begin() + (slot + 1) * batch_, out.begin());
  return out;
}

int64_t RealImages::index_at(int64_t position) {
  if (stream_) return stream_->index_at(position);
  shuffle(position / count_);
  return order_[static_cast<size_t>(position % count_)];
}

torch::Tensor RealImages::images_at(int64_t position, int64_t n, int rank, int world) {
  if (stream_ && world == 1) {  // straight into the batch
    ImageBatch b(n, channels_, resolution_, resolution_);
    stream_->read(position, n, b.data.data());
    return images_to_tensor(b, 0, n);
  }
  if (stream_) {  // the stream is read in order; a rank keeps its rows
    ImageBatch all(n, channels_, resolution_, resolution_);
    stream_->read(position, n, all.data.data());
    return rows(n, rank, world, [&](int64_t i) { return all.image(i); });
  }
  return rows(n, rank, world, [&](int64_t i) { return images_.image(index_at(position + i)); });
}

torch::Tensor RealImages::batch(int64_t k, int rank, int world) {
  if (stream_) {  // minibatch k: the k-th slice of its epoch's stream, the epoch's tail skipped
    const int64_t per_epoch = batches_per_epoch();
    return images_at((k / per_epoch) * count_ + (k % per_epoch) * batch_, batch_, rank, world);
  }
  const auto idx = batch_indices(k);
  return rows(batch_, rank, world, [&](int64_t i) { return images_.image(idx[static_cast<size_t>(i)]); });
}

torch::Tensor RealImages::rows(int64_t n, int rank, int world, const std::function<const uint8_t*(int64_t)>& image) {
  ImageBatch b((n - rank + world - 1) / world, channels_, resolution_, resolution_);
  for (int64_t i = rank, j = 0; i < n; i += world, ++j) std::memcpy(b.image(j), image(i), b.image_bytes());
  return images_to_tensor(b, 0, b.n);
}

}  // namespace gankit
