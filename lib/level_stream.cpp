#include "level_stream.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cstring>
#include <numeric>

#include "error.h"
#include "hdf5_store.h"
#include "hdf5_util.h"
#include "rng.h"

namespace gankit {

namespace {

constexpr uint64_t kRunStream = 0x52554e53ull;     // "RUNS": the order of the runs in epoch e
constexpr uint64_t kWindowStream = 0x57494e44ull;  // "WIND": the order inside window w of epoch e
constexpr int64_t kRunBytes = 256 << 10;           // a run is about this long: one HDF5 call each
constexpr int64_t kMinRunsPerWindow = 16;
constexpr int64_t kReadBytes = 16 << 20;      // adjacent runs are read together up to this much
constexpr size_t kChunkCacheBytes = 1 << 20;  // each chunk is read once per epoch: no use keeping them

// Fisher-Yates with counter-based SplitMix64 draws (the in-memory order's generator).
void shuffle(std::vector<int64_t>& v, uint64_t base) {
  for (int64_t i = static_cast<int64_t>(v.size()) - 1; i > 0; --i) {
    const uint64_t r = splitmix64(base + static_cast<uint64_t>(i));
    std::swap(v[static_cast<size_t>(i)], v[static_cast<size_t>(r % static_cast<uint64_t>(i + 1))]);
  }
}

int64_t round_down(int64_t v, int64_t m) { return v / m * m; }

}  // namespace

StreamLayout stream_layout(int64_t count, int64_t image_bytes, int64_t chunk_images, int64_t cache_bytes,
                           int64_t min_window) {
  GANKIT_CHECK_USAGE(count > 0 && image_bytes > 0 && chunk_images > 0 && min_window > 0,
                     "stream layout of {} images of {} bytes in chunks of {}: nothing to stream", count, image_bytes,
                     chunk_images);
  const int64_t capacity = cache_bytes / (2 * image_bytes);  // images per window
  StreamLayout l;
  const int64_t wanted = (kRunBytes + image_bytes - 1) / image_bytes;
  l.run = (wanted + chunk_images - 1) / chunk_images * chunk_images;
  if (capacity / l.run < kMinRunsPerWindow)
    l.run = std::max(chunk_images, round_down(capacity / kMinRunsPerWindow, chunk_images));
  const int64_t runs = (count + l.run - 1) / l.run;
  l.window = std::min(std::max(l.run, round_down(capacity, l.run)), runs * l.run);
  GANKIT_CHECK_USAGE(l.window >= std::min(min_window, count) && 2 * l.window * image_bytes <= cache_bytes,
                     "a data cache of {:.1f} MB holds two windows of {} images of {} bytes (runs of {}); at least {} "
                     "images per window are needed: {:.1f} MB",
                     static_cast<double>(cache_bytes) / 1e6, capacity, image_bytes, l.run, min_window,
                     static_cast<double>(2 * std::max(min_window, l.run) * image_bytes) / 1e6);
  return l;
}

LevelStream::LevelStream(const std::filesystem::path& file, int resolution, uint64_t seed, StreamLayout layout)
    : reader_(std::make_unique<PyramidReader>(file, kChunkCacheBytes)),
      resolution_(resolution),
      seed_(seed),
      layout_(layout) {
  reader_->require_level(resolution);
  count_ = reader_->count();
  channels_ = reader_->channels();
  image_bytes_ = static_cast<int64_t>(channels_) * resolution * resolution;
  GANKIT_CHECK_DATA(count_ > 0, "{}: level {}x{} holds no images", file.string(), resolution, resolution);
  GANKIT_CHECK_USAGE(layout.run >= 1 && layout.window >= layout.run && layout.window % layout.run == 0,
                     "stream layout: window {} is not a whole number of runs of {}", layout.window, layout.run);
  runs_ = (count_ + layout_.run - 1) / layout_.run;
  const int64_t per_window = layout_.window / layout_.run;
  windows_ = (runs_ + per_window - 1) / per_window;
  thread_ = std::thread([this] { loader(); });
}

LevelStream::~LevelStream() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

LevelStream::EpochPlan LevelStream::make_plan(int64_t epoch) const {
  EpochPlan p;
  p.runs.resize(static_cast<size_t>(runs_));
  std::iota(p.runs.begin(), p.runs.end(), int64_t{0});
  shuffle(p.runs, derive_seed(seed_, kRunStream, static_cast<uint64_t>(epoch)));
  const int64_t per_window = layout_.window / layout_.run;
  p.window_start.assign(static_cast<size_t>(windows_ + 1), 0);
  for (int64_t i = 0; i < runs_; ++i) {
    const int64_t r = p.runs[static_cast<size_t>(i)];
    p.window_start[static_cast<size_t>(i / per_window + 1)] += std::min(layout_.run, count_ - r * layout_.run);
  }
  std::partial_sum(p.window_start.begin(), p.window_start.end(), p.window_start.begin());
  return p;
}

std::shared_ptr<const LevelStream::EpochPlan> LevelStream::plan(int64_t epoch) const {
  std::lock_guard lock(plan_mutex_);
  for (const CachedPlan& c : plans_)
    if (c.plan && c.epoch == epoch) return c.plan;
  CachedPlan& c = plans_[older_plan_];
  c = {epoch, std::make_shared<const EpochPlan>(make_plan(epoch))};
  older_plan_ = 1 - older_plan_;
  return c.plan;
}

LevelStream::Key LevelStream::key_of(int64_t position, int64_t& offset) const {
  GANKIT_CHECK_USAGE(position >= 0, "stream position {} is negative", position);
  const int64_t epoch = position / count_, in_epoch = position % count_;
  const auto p = plan(epoch);
  const auto it = std::upper_bound(p->window_start.begin(), p->window_start.end(), in_epoch);
  const int64_t w = (it - p->window_start.begin()) - 1;
  offset = in_epoch - p->window_start[static_cast<size_t>(w)];
  return {epoch, w};
}

LevelStream::Key LevelStream::next(const Key& k) const {
  return k.window + 1 < windows_ ? Key{k.epoch, k.window + 1} : Key{k.epoch + 1, 0};
}

std::vector<int64_t> LevelStream::window_order(const EpochPlan& p, const Key& k) const {
  const int64_t per_window = layout_.window / layout_.run;
  std::vector<int64_t> order;
  order.reserve(static_cast<size_t>(layout_.window));
  for (int64_t i = k.window * per_window; i < std::min(runs_, (k.window + 1) * per_window); ++i) {
    const int64_t r = p.runs[static_cast<size_t>(i)];
    for (int64_t j = r * layout_.run; j < std::min(count_, (r + 1) * layout_.run); ++j) order.push_back(j);
  }
  shuffle(order, derive_seed(derive_seed(seed_, kWindowStream, static_cast<uint64_t>(k.epoch)), kWindowStream,
                             static_cast<uint64_t>(k.window)));
  return order;
}

int64_t LevelStream::index_at(int64_t position) const {
  int64_t offset = 0;
  const Key k = key_of(position, offset);
  return window_order(*plan(k.epoch), k)[static_cast<size_t>(offset)];
}

// Reads window k into slot (on the loader thread): the window's images sorted by index, so that
// adjacent runs are read with one HDF5 call and the file is read forwards, each placed at its
// stream position.
void LevelStream::fill(Slot& slot, const Key& k) {
  const std::vector<int64_t> order = window_order(*plan(k.epoch), k);
  std::vector<std::pair<int64_t, int64_t>> by_index(order.size());  // (image, window position)
  for (size_t t = 0; t < order.size(); ++t) by_index[t] = {order[t], static_cast<int64_t>(t)};
  std::sort(by_index.begin(), by_index.end());
  slot.size = static_cast<int64_t>(order.size());
  slot.images.resize(order.size() * static_cast<size_t>(image_bytes_));
  const int64_t max_read = std::max<int64_t>(1, kReadBytes / image_bytes_);
  for (size_t i = 0; i < by_index.size();) {
    size_t j = i + 1;  // [i, j): consecutive image indices
    while (j < by_index.size() && by_index[j].first == by_index[j - 1].first + 1 &&
           static_cast<int64_t>(j - i) < max_read)
      ++j;
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    const ImageBatch part = reader_->read(resolution_, by_index[i].first, static_cast<int64_t>(j - i));
    for (size_t m = i; m < j; ++m)
      std::memcpy(slot.images.data() + by_index[m].second * image_bytes_, part.image(static_cast<int64_t>(m - i)),
                  static_cast<size_t>(image_bytes_));
    i = j;
  }
}

void LevelStream::loader() {
  h5::silence_hdf5();
#ifdef __linux__
  // The lowest priority: reading ahead must not take a core from the trainer's threads (LibTorch's
  // OpenMP workers spin at their barriers, so one preempted worker stalls them all). The loader
  // still runs whenever a core is idle, and at full speed while read() waits for it.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
#endif
  for (;;) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] {
      return stop_ || slots_[0].state == SlotState::Requested || slots_[1].state == SlotState::Requested;
    });
    if (stop_) return;
    // The slot read() waits for comes first; the other is a prefetch.
    const int i = slots_[current_].state == SlotState::Requested ? current_ : 1 - current_;
    Slot& slot = slots_[i];
    slot.state = SlotState::Loading;
    const Key k = slot.key;
    lock.unlock();
    std::exception_ptr error;
    try {
      fill(slot, k);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    slot.error = error;
    slot.state = SlotState::Ready;
    changed_.notify_all();
  }
}

// With the lock held: the other slot starts decoding window k unless it holds or is busy with it
// (a slot still loading a window nobody wants finishes first; the next read() asks again).
void LevelStream::prefetch_locked(const Key& k) {
  Slot& other = slots_[1 - current_];
  if (other.key == k && other.state != SlotState::Empty) return;
  if (other.state == SlotState::Requested || other.state == SlotState::Loading) return;
  other.key = k;
  other.state = SlotState::Requested;
  other.error = nullptr;
  changed_.notify_all();
}

const LevelStream::Slot& LevelStream::acquire(const Key& k) {
  std::unique_lock lock(mutex_);
  if (!(slots_[current_].key == k && slots_[current_].state != SlotState::Empty)) {
    Slot& other = slots_[1 - current_];
    if (other.key == k && other.state != SlotState::Empty) {
      current_ = 1 - current_;
    } else {  // not asked for yet (the first read, a jump): the current slot is ours to reuse
      Slot& mine = slots_[current_];
      mine.key = k;
      mine.state = SlotState::Requested;
      mine.error = nullptr;
      changed_.notify_all();
    }
  }
  Slot& slot = slots_[current_];
  changed_.wait(lock, [&] { return slot.state == SlotState::Ready; });
  if (slot.error) {
    const std::exception_ptr error = slot.error;
    slot = Slot{};
    std::rethrow_exception(error);
  }
  prefetch_locked(next(k));
  return slot;
}

void LevelStream::read(int64_t position, int64_t n, uint8_t* out) {
  while (n > 0) {
    int64_t offset = 0;
    const Key k = key_of(position, offset);
    const Slot& slot = acquire(k);
    const int64_t take = std::min(n, slot.size - offset);
    std::memcpy(out, slot.images.data() + offset * image_bytes_, static_cast<size_t>(take * image_bytes_));
    out += take * image_bytes_;
    position += take;
    n -= take;
  }
}

}  // namespace gankit
