// NumPy .npy / .npz image arrays.
//
// Accepted: uint8 arrays of shape (N, H, W, C) "NHWC" with C in {1, 3, 4}, (N, C, H, W) "NCHW"
// with C in {1, 3} and H, W > 4, or (N, H, W) grayscale. An (N, A, B, C) array whose last axis is
// 1/3/4 is read as NHWC (the numpy/TF convention). RGBA drops alpha. The result is NCHW RGB/gray.
// .npz: the array named `key`, or else the only array, or else the one named "images"/"x"/"arr_0".
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "atomic_output.h"
#include "image_batch.h"

namespace gankit {

class SpillFile;  // spill_file.h

// An open .npy image array, read by ranges of images without loading the whole file (the
// data is read in chunks and converted to NCHW straight into the caller's batch).
class NpyReader {
 public:
  explicit NpyReader(const std::filesystem::path& path);
  int64_t count() const { return n_; }
  int channels() const { return c_ == 4 ? 3 : c_; }  // RGBA drops alpha
  int height() const { return h_; }
  int width() const { return w_; }
  // Images [start, start + n) into out.image(first), out.image(first + 1), ... (`out` must have
  // this reader's channels, height and width and room for them).
  void read(int64_t start, int64_t n, ImageBatch& out, int64_t first = 0);

 private:
  std::filesystem::path path_;
  std::ifstream in_;
  InputFile input_;  // no output of the process replaces the file while it is read
  int64_t n_ = 0;
  int c_ = 0, h_ = 0, w_ = 0;
  bool nhwc_ = true;
  size_t data_offset_ = 0;
  std::vector<uint8_t> buffer_;
};

ImageBatch load_npy(const std::filesystem::path& path);
ImageBatch load_npz(const std::filesystem::path& path, const std::string& key = "");
// The size of the .npy member load_npz would read, and that member copied as a .npy into `file`
// (from offset 0), with load_npz's checks (throws Error(Data) naming the member; a full disk names
// it too).
uint64_t npz_member_bytes(const std::filesystem::path& path, const std::string& key = "");
void extract_npz_member(const std::filesystem::path& path, const std::string& key, SpillFile& file);
// Parses .npy bytes (exposed for tests). `name` is used in error messages.
ImageBatch parse_npy(const std::string& bytes, const std::string& name);
// Streams `n` images of C x H x W into an uint8 NHWC .npy (so our images can go back to numpy
// tools). Written under a temporary name; commit() checks that all n arrived and renames.
class NpyWriter {
 public:
  NpyWriter(const std::filesystem::path& path, int64_t n, int c, int h, int w, bool overwrite);
  // Appends images of `batch` (same C, H, W).
  void append(const ImageBatch& batch);
  void commit();

 private:
  std::filesystem::path path_;
  AtomicOutput output_;
  std::ofstream out_;
  int64_t n_, written_ = 0;
  int c_, h_, w_;
};

// Writes a whole batch as an uint8 NHWC .npy (replacing `path`).
void save_npy_nhwc(const std::filesystem::path& path, const ImageBatch& batch);

}  // namespace gankit
