#include "real_images.h"

#include <unistd.h>

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
                       ProgressOptions progress)
    : batch_(batch), seed_(seed) {
  PyramidReader reader(file);
  reader.require_level(resolution);
  const int64_t n = reader.count();
  const int c = reader.channels();
  const double bytes = static_cast<double>(n) * c * resolution * resolution;
  const double ram = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  GANKIT_CHECK_DATA(bytes < 0.8 * ram, "{}: level {}x{} holds {:.1f} GB, more than this machine's memory ({:.1f} GB)",
                    file.string(), resolution, resolution, bytes / 1e9, ram / 1e9);
  GANKIT_CHECK_DATA(n >= batch, "{}: {} images, fewer than one minibatch of {} (use a smaller --batch)", file.string(),
                    n, batch);
  images_ = ImageBatch(n, c, resolution, resolution);
  Progress bar("load data", n, progress);
  constexpr int64_t kBlock = 4096;
  for (int64_t start = 0; start < n; start += kBlock) {
    const ImageBatch part = reader.read(resolution, start, std::min(kBlock, n - start));
    std::memcpy(images_.image(start), part.data.data(), part.data.size());
    bar.add(part.n);
  }
  bar.finish();
}

void RealImages::shuffle(int64_t epoch) {
  if (epoch != epoch_) {
    order_.resize(static_cast<size_t>(images_.n));
    std::iota(order_.begin(), order_.end(), int64_t{0});
    const uint64_t base = derive_seed(seed_, kShuffleStream, static_cast<uint64_t>(epoch));
    for (int64_t i = images_.n - 1; i > 0; --i) {  // Fisher-Yates, counter-based SplitMix64 draws
      const uint64_t r = splitmix64(base + static_cast<uint64_t>(i));
      std::swap(order_[static_cast<size_t>(i)], order_[static_cast<size_t>(r % static_cast<uint64_t>(i + 1))]);
    }
    epoch_ = epoch;
  }
}

std::vector<int64_t> RealImages::batch_indices(int64_t k) {
  const int64_t per_epoch = batches_per_epoch();
  const int64_t epoch = k / per_epoch, slot = k % per_epoch;
  shuffle(epoch);
  return {order_.begin() + slot * batch_, order_.begin() + (slot + 1) * batch_};
}

int64_t RealImages::index_at(int64_t position) {
  shuffle(position / images_.n);
  return order_[static_cast<size_t>(position % images_.n)];
}

torch::Tensor RealImages::images_at(int64_t position, int64_t n) {
  ImageBatch b(n, images_.c, images_.h, images_.w);
  for (int64_t i = 0; i < n; ++i) std::memcpy(b.image(i), images_.image(index_at(position + i)), b.image_bytes());
  return images_to_tensor(b, 0, n);
}

torch::Tensor RealImages::batch(int64_t k) {
  const auto idx = batch_indices(k);
  ImageBatch b(batch_, images_.c, images_.h, images_.w);
  for (int i = 0; i < batch_; ++i) std::memcpy(b.image(i), images_.image(idx[static_cast<size_t>(i)]), b.image_bytes());
  return images_to_tensor(b, 0, batch_);
}

}  // namespace gankit
