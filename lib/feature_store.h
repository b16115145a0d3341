// The feature file: fixed-length float feature vectors of labelled images, in named splits
// (e.g. "train", "test"), written by `gan-eval features` and read by `gan-eval svm`.
//
// File layout (HDF5):
//   /<split>/features  float32 (N, D), row i = the features of image i of the split's source
//   /<split>/labels    int64 (N), optional (present when the source had labels)
//   /<split>           attribute "source": the file the images came from
//   root attributes (strings): kind (discriminator | random-init | raw-pixels), checkpoint,
//                 layers, layer_dims, pool, bn_statistics, seed, tool_version, ...
// Features are stored uncompressed and contiguous: rows are read back at random (labelled
// draws), which chunked compressed storage would make slow.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "atomic_output.h"

namespace gankit {

// Writes a new feature file under a temporary name; commit() renames it, otherwise it is removed.
class FeatureWriter {
 public:
  FeatureWriter(const std::filesystem::path& out, int64_t dim, bool overwrite);
  ~FeatureWriter();
  FeatureWriter(const FeatureWriter&) = delete;
  FeatureWriter& operator=(const FeatureWriter&) = delete;

  // Declares split `name` of `count` rows; `labels` is empty or holds `count` labels.
  void add_split(const std::string& name, int64_t count, std::span<const int64_t> labels, const std::string& source);
  // Rows [start, start + n) of split `name`, row-major n x dim.
  void write_rows(const std::string& name, int64_t start, int64_t n, const float* rows);
  void set_attribute(const std::string& name, const std::string& value) { attributes_[name] = value; }
  // Checks that every row of every split was written, writes the attributes and renames.
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  AtomicOutput output_;
  int64_t dim_;
  std::map<std::string, std::string> attributes_;
};

struct FeatureSplitInfo {
  std::string name;
  int64_t count = 0;
  bool has_labels = false;
  std::string source;
};

class FeatureReader {
 public:
  // Throws Error(Data) naming the file when it is missing or not a feature file.
  explicit FeatureReader(const std::filesystem::path& path);
  ~FeatureReader();
  FeatureReader(const FeatureReader&) = delete;
  FeatureReader& operator=(const FeatureReader&) = delete;

  const std::filesystem::path& path() const { return path_; }
  int64_t dim() const { return dim_; }
  const std::vector<FeatureSplitInfo>& splits() const { return splits_; }
  bool has_split(const std::string& name) const;
  // Throws Error(Data) naming the file and its splits when `name` is missing.
  const FeatureSplitInfo& split(const std::string& name) const;
  const std::map<std::string, std::string>& attributes() const { return attributes_; }

  // Labels of a split; throws Error(Data) when it has none.
  std::vector<int64_t> labels(const std::string& name) const;
  // Rows [start, start + n) into `out` (n x dim floats).
  void read_rows(const std::string& name, int64_t start, int64_t n, float* out) const;
  // Rows at `indices` (any order) into `out`, row k = row indices[k].
  void read_indices(const std::string& name, std::span<const int64_t> indices, float* out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::filesystem::path path_;
  InputFile input_;  // no output of the process replaces the file while it is read
  int64_t dim_ = 0;
  std::vector<FeatureSplitInfo> splits_;
  std::map<std::string, std::string> attributes_;
};

}  // namespace gankit
