// LevelStream — one level of an HDF5 pyramid served as an endless, seeded, shuffled stream of
// images straight from the file, in bounded memory: the training data of a run whose level does
// not fit in memory (gan-train --data-in-memory off|auto, --data-cache-mb).
//
// The order (a pure function of seed, epoch and position, so a resumed run continues exactly):
//   - the level's N images are cut into runs of `run` consecutive images (a whole number of HDF5
//     chunks, so that each chunk is decompressed once per epoch);
//   - every epoch e permutes the runs (Fisher-Yates from derive_seed(seed, runs stream, e)) and
//     groups them, in that order, into windows of `window` images;
//   - within a window the images are permuted again (Fisher-Yates from the window's own seed).
// Epoch e's stream is window 0's permuted images, then window 1's, ...; the stream goes on with
// epoch e+1 (position p is image p mod N of epoch p / N).
// So a window is a "shuffle buffer" of `window` images: the images that follow each other in
// the stream come from window / run random places of the file; an image can move anywhere
// within its window, and the runs move anywhere within the epoch. With window >= N it is a full
// shuffle.
//
// Memory: two windows of images (the one being read from and the next one, decoded ahead on a
// background thread), one read of at most 16 MiB, and 1 MiB of HDF5 chunk cache. Images are
// uint8 C x R x R, as stored (RGB or gray).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "buffer.h"

namespace gankit {

class PyramidReader;

// Run and window sizes, in images.
struct StreamLayout {
  int64_t run = 1;
  int64_t window = 1;
};

// The layout for a level of `count` images of `image_bytes` each, stored in chunks of
// `chunk_images`, with two windows in at most `cache_bytes`: runs of about 256 KiB (whole chunks;
// fewer where that leaves a window fewer than 16 runs) and the largest window that fits, in
// whole runs. Throws Error(Usage) when two windows of `min_window` images do not fit (the message
// gives the bytes needed as MB).
StreamLayout stream_layout(int64_t count, int64_t image_bytes, int64_t chunk_images, int64_t cache_bytes,
                           int64_t min_window);

class LevelStream {
 public:
  // Opens level `resolution` of `file`; throws Error(Data) naming the file when the level is
  // missing. The background reader starts at the first read().
  LevelStream(const std::filesystem::path& file, int resolution, uint64_t seed, StreamLayout layout);
  ~LevelStream();
  LevelStream(const LevelStream&) = delete;
  LevelStream& operator=(const LevelStream&) = delete;

  int64_t count() const { return count_; }
  int channels() const { return channels_; }
  int64_t image_bytes() const { return image_bytes_; }
  const StreamLayout& layout() const { return layout_; }

  // Copies the images at stream positions [position, position + n) to out (n * image_bytes()).
  // Fast when positions move forward (the next window is already decoded); any position works.
  // A read error of the file (a corrupt chunk) is thrown here, naming the file.
  void read(int64_t position, int64_t n, uint8_t* out);
  // The image index at stream position `position` (the same order read() serves).
  int64_t index_at(int64_t position) const;

 private:
  struct Key {
    int64_t epoch = -1, window = -1;
    bool operator==(const Key&) const = default;
  };
  // One epoch's order: the permuted runs and where each window starts in the epoch.
  struct EpochPlan {
    std::vector<int64_t> runs;          // run indices in stream order
    std::vector<int64_t> window_start;  // windows + 1 entries: first epoch position of window w
  };
  enum class SlotState { Empty, Requested, Loading, Ready };
  struct Slot {
    Key key;
    SlotState state = SlotState::Empty;
    ByteBuffer images;  // the window's images in stream order
    int64_t size = 0;   // images in the window
    std::exception_ptr error;
  };

  std::shared_ptr<const EpochPlan> plan(int64_t epoch) const;
  EpochPlan make_plan(int64_t epoch) const;
  Key key_of(int64_t position, int64_t& offset_in_window) const;
  Key next(const Key& k) const;
  std::vector<int64_t> window_order(const EpochPlan& p, const Key& k) const;  // image index per window position
  const Slot& acquire(const Key& k);
  void prefetch_locked(const Key& k);
  void fill(Slot& slot, const Key& k);
  void loader();

  std::unique_ptr<PyramidReader> reader_;
  int resolution_;
  uint64_t seed_;
  StreamLayout layout_;
  int64_t count_ = 0, runs_ = 0, windows_ = 0, image_bytes_ = 0;
  int channels_ = 0;

  struct CachedPlan {
    int64_t epoch = -1;
    std::shared_ptr<const EpochPlan> plan;
  };
  mutable std::mutex plan_mutex_;
  mutable CachedPlan plans_[2];  // the two epochs asked for last (read() and the loader)
  mutable int older_plan_ = 0;

  std::mutex mutex_;
  std::condition_variable changed_;
  Slot slots_[2];
  int current_ = 0;  // the slot read() is serving from
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace gankit
