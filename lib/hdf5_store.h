// The HDF5 dataset store: a multi-resolution pyramid in the ProGAN "h5tool" layout.
//
// File layout:
//   /data{r}x{r}  for r = R, R/2, ..., 1: uint8 (N, C, r, r), NCHW, RGB (C=3) or gray (C=1),
//                 first axis extendible, chunks of ceil(128 / (C*r*r)) images, gzip 4 by default.
//   /labels       int64 (N), optional; attribute "class_names" (array of strings).
//   root attributes (strings): source, importer, tool_version, filters, ... (provenance).
// Level r is built from level 2r as described in pyramid.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "atomic_output.h"
#include "image_batch.h"

namespace gankit {

// The largest class label a file may hold (labels are class numbers 0, 1, ...).
constexpr int64_t kMaxLabel = 999999;

// The largest pyramid level (a 16384x16384 RGB image is 805 MB).
constexpr int kMaxPyramidResolution = 16384;

struct Compression {
  int gzip_level = 4;  // 0 = none
  // "none", "gzip" (level 4) or "gzip:N" with N in 1..9. Throws Error(Usage) otherwise.
  static Compression parse(const std::string& text);
  std::string to_string() const;
};

struct PyramidWriterOptions {
  Compression compression;
  bool with_labels = false;
  std::vector<std::string> class_names;
  std::map<std::string, std::string> attributes;  // provenance, written at commit
  bool overwrite = false;
  size_t block_bytes = 32u << 20;  // images buffered before their pyramids are written
  // Resumable writing: the file grows as OUT.partial, which stays when the writer is destroyed
  // without commit(); with `resume` an existing OUT.partial is reopened and continued from its
  // last checkpoint(). Without `resume` an existing OUT.partial is an error (or replaced with
  // `overwrite`).
  bool resumable = false;
  bool resume = false;
};

// Streams images into a new pyramid file. Memory is bounded by one block of images
// (options.block_bytes, 32 MiB by default): images are buffered, their pyramids computed and
// appended block by block. The file is written under a temporary name and renamed by commit();
// without commit() it is removed.
class PyramidWriter {
 public:
  PyramidWriter(const std::filesystem::path& out, int resolution, int channels, PyramidWriterOptions options);
  ~PyramidWriter();
  PyramidWriter(const PyramidWriter&) = delete;
  PyramidWriter& operator=(const PyramidWriter&) = delete;

  // One C x R x R uint8 image; `label` is required (>= 0) when the writer has labels.
  void append(const uint8_t* chw, int64_t label = -1);
  void set_attribute(const std::string& name, const std::string& value) { options_.attributes[name] = value; }
  int64_t count() const { return count_; }
  // Resumable writers: writes every buffered image and records `token` (the caller's position,
  // e.g. input rows done) with the image count, so a resumed writer restarts exactly here.
  void checkpoint(const std::string& token);
  // The token of the checkpoint a resumed writer continues from ("" for a new file).
  const std::string& resume_token() const { return resume_token_; }
  void commit();

 private:
  struct Impl;
  void flush();
  void reopen_partial();
  void write_resume_state(const std::string& token);  // count and token as attributes, then a flush
  std::unique_ptr<Impl> impl_;
  PyramidWriterOptions options_;
  AtomicOutput output_;
  int resolution_, channels_;
  int64_t count_ = 0;
  size_t block_capacity_;
  std::vector<uint8_t> block_;
  std::vector<int64_t> block_labels_;
  size_t block_count_ = 0;
  std::string resume_token_;
  bool checkpointed_ = false;
};

struct PyramidInfo {
  int resolution = 0;  // largest level
  int channels = 0;
  int64_t count = 0;
  std::vector<int> resolutions;  // levels present, largest first
  bool has_labels = false;
  std::vector<std::string> class_names;
  std::map<std::string, std::string> attributes;
  std::string compression;  // of the largest level: "none" or "gzip:N"
};

// Reads a pyramid file. Levels are addressed by resolution.
class PyramidReader {
 public:
  // chunk_cache_bytes: HDF5's cache of decompressed chunks per level (random minibatches revisit
  // chunks; a reader that reads each chunk once needs little).
  explicit PyramidReader(const std::filesystem::path& path, size_t chunk_cache_bytes = size_t{64} << 20);
  ~PyramidReader();
  PyramidReader(const PyramidReader&) = delete;
  PyramidReader& operator=(const PyramidReader&) = delete;

  const PyramidInfo& info() const { return info_; }
  int64_t count() const { return info_.count; }
  int channels() const { return info_.channels; }
  bool has_level(int r) const;
  // Throws Error(Data) naming the file and the levels it has when `r` is missing.
  void require_level(int r) const;
  // Images per HDF5 chunk of level r (1 where the level is not chunked): reads of whole chunks
  // decompress nothing twice.
  int64_t chunk_images(int r) const;
  // Images [start, start + n) of level r.
  ImageBatch read(int r, int64_t start, int64_t n) const;
  // Images at arbitrary indices (any order, repeats allowed), e.g. a random minibatch. Runs of
  // consecutive indices are read with one HDF5 call each.
  ImageBatch read_indices(int r, std::span<const int64_t> indices) const;
  std::vector<int64_t> labels() const;  // empty when the file has none

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::filesystem::path path_;
  InputFile input_;  // no output of the process replaces the file while it is read
  PyramidInfo info_;
};

// A short fingerprint of the images of level `r`: "N=<count> C=<channels> R=<r> h=<16 hex digits>",
// the hash (FNV-1a, 64 bits) over 64 images spread evenly through the level. The same images give
// the same fingerprint whatever the file's name, place or compression.
std::string dataset_fingerprint(const PyramidReader& reader, int r);

// Version string of the suite (from CMake), written into provenance attributes.
const char* tool_version();

}  // namespace gankit
