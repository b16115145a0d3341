#include "feature_store.h"

#include <cmath>
#include <cstring>

#include "atomic_output.h"
#include "error.h"
#include "hdf5_store.h"
#include "hdf5_util.h"
#include "index_runs.h"

namespace gankit {
namespace fs = std::filesystem;
using namespace h5;

namespace {

struct SplitDatasets {
  Handle group, features, labels;
  int64_t count = 0;
  int64_t written = 0;
};

// Selects rows [start, start + n) of a (N, dim) dataset and reads or writes them. With `what`,
// a failure throws here, before the handles close: closing them clears HDF5's error stack, which
// holds the errno that tells a full disk from a bug.
herr_t transfer_rows(hid_t ds, int64_t start, int64_t n, int64_t dim, float* rows, bool write,
                     const std::string& what = "") {
  Handle fspace(H5Dget_space(ds), H5Sclose);
  hsize_t off[2] = {static_cast<hsize_t>(start), 0}, cnt[2] = {static_cast<hsize_t>(n), static_cast<hsize_t>(dim)};
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, off, nullptr, cnt, nullptr), "select rows");
  Handle mspace(H5Screate_simple(2, cnt, nullptr), H5Sclose);
  const herr_t status = write ? H5Dwrite(ds, H5T_NATIVE_FLOAT, mspace.get(), fspace.get(), H5P_DEFAULT, rows)
                              : H5Dread(ds, H5T_NATIVE_FLOAT, mspace.get(), fspace.get(), H5P_DEFAULT, rows);
  if (!what.empty()) check(status, what);
  return status;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
struct FeatureWriter::Impl {
  Handle file;
  std::map<std::string, SplitDatasets> splits;
};

FeatureWriter::FeatureWriter(const fs::path& out, int64_t dim, bool overwrite)
    : impl_(std::make_unique<Impl>()), output_(out, overwrite), dim_(dim) {
  silence_hdf5();
  GANKIT_CHECK_USAGE(dim > 0, "feature dimension {} must be positive", dim);
  impl_->file = Handle(H5Fcreate(output_.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  GANKIT_CHECK_DATA(impl_->file.valid(), "cannot create {}", output_.temp_path().string());
}

FeatureWriter::~FeatureWriter() = default;  // an uncommitted temporary is removed by output_

void FeatureWriter::add_split(const std::string& name, int64_t count, std::span<const int64_t> labels,
                              const std::string& source) {
  GANKIT_CHECK_USAGE(!name.empty() && name.find('/') == std::string::npos, "split name '{}' is not a plain name", name);
  GANKIT_CHECK_USAGE(!impl_->splits.count(name), "split {} given twice", name);
  GANKIT_CHECK_DATA(count > 0, "split {} ({}) has no images", name, source);
  GANKIT_CHECK(labels.empty() || static_cast<int64_t>(labels.size()) == count, Internal,
               "split {}: {} labels for {} rows", name, labels.size(), count);
  SplitDatasets s;
  s.count = count;
  s.group = Handle(H5Gcreate2(impl_->file.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  GANKIT_CHECK(s.group.valid(), Internal, "cannot create group {}", name);
  write_string_attribute(s.group.get(), "source", source);
  hsize_t dims[2] = {static_cast<hsize_t>(count), static_cast<hsize_t>(dim_)};
  Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose);
  s.features =
      Handle(H5Dcreate2(s.group.get(), "features", H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
             H5Dclose);
  GANKIT_CHECK(s.features.valid(), Internal, "cannot create {}/features", name);
  if (!labels.empty()) {
    Handle lspace(H5Screate_simple(1, dims, nullptr), H5Sclose);
    s.labels =
        Handle(H5Dcreate2(s.group.get(), "labels", H5T_STD_I64LE, lspace.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               H5Dclose);
    GANKIT_CHECK(s.labels.valid(), Internal, "cannot create {}/labels", name);
    check(H5Dwrite(s.labels.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels.data()),
          "write " + name + "/labels");
  }
  impl_->splits.emplace(name, std::move(s));
}

void FeatureWriter::write_rows(const std::string& name, int64_t start, int64_t n, const float* rows) {
  auto it = impl_->splits.find(name);
  GANKIT_CHECK(it != impl_->splits.end(), Internal, "no split {}", name);
  SplitDatasets& s = it->second;
  GANKIT_CHECK(start == s.written && start + n <= s.count, Internal, "split {}: rows [{}, {}) after {} of {}", name,
               start, start + n, s.written, s.count);
  if (n == 0) return;
  transfer_rows(s.features.get(), start, n, dim_, const_cast<float*>(rows), true,
                "write features to " + output_.target().string());
  s.written += n;
}

void FeatureWriter::commit() {
  GANKIT_CHECK(!impl_->splits.empty(), Internal, "feature file without splits");
  for (const auto& [name, s] : impl_->splits)
    GANKIT_CHECK(s.written == s.count, Internal, "split {}: {} of {} rows written", name, s.written, s.count);
  attributes_["tool_version"] = tool_version();
  attributes_["format"] = "gankit-features-1";
  for (const auto& [k, v] : attributes_) write_string_attribute(impl_->file.get(), k, v);
  for (auto& [name, s] : impl_->splits) {
    close_checked(s.features, "close " + name + "/features");
    close_checked(s.labels, "close " + name + "/labels");
    close_checked(s.group, "close " + name);
  }
  impl_->splits.clear();
  check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "flush");
  close_checked(impl_->file, "close " + output_.temp_path().string());
  output_.commit();
}

// ---------------------------------------------------------------------------------------------
struct FeatureReader::Impl {
  Handle file;
  std::map<std::string, Handle> features;
};

FeatureReader::FeatureReader(const fs::path& path) : impl_(std::make_unique<Impl>()), path_(path) {
  silence_hdf5();
  GANKIT_CHECK_DATA(fs::exists(path), "{} does not exist", path.string());
  GANKIT_CHECK_DATA(fs::is_regular_file(path) && H5Fis_hdf5(path.c_str()) > 0, "{} is not an HDF5 file", path.string());
  impl_->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  GANKIT_CHECK_DATA(impl_->file.valid(), "cannot open {}", path.string());
  input_ = InputFile(path);
  const hid_t f = impl_->file.get();
  attributes_ = read_string_attributes(f);
  H5G_info_t ginfo;
  check(H5Gget_info(f, &ginfo), "group info");
  for (hsize_t i = 0; i < ginfo.nlinks; ++i) {
    char name[256];
    if (H5Lget_name_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof(name), H5P_DEFAULT) < 0) continue;
    const std::string feat = std::string(name) + "/features";
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0 || H5Lexists(f, feat.c_str(), H5P_DEFAULT) <= 0) continue;
    Handle ds(H5Dopen2(f, feat.c_str(), H5P_DEFAULT), H5Dclose);
    Handle space(H5Dget_space(ds.get()), H5Sclose);
    GANKIT_CHECK_DATA(H5Sget_simple_extent_ndims(space.get()) == 2, "{}: {} is not 2-D (N, D)", path.string(), feat);
    hsize_t dims[2];
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    GANKIT_CHECK_DATA(dim_ == 0 || static_cast<int64_t>(dims[1]) == dim_,
                      "{}: {} has {} features per row but another split has {}", path.string(), feat, dims[1], dim_);
    dim_ = static_cast<int64_t>(dims[1]);
    FeatureSplitInfo info;
    info.name = name;
    info.count = static_cast<int64_t>(dims[0]);
    const std::string lab = std::string(name) + "/labels";
    if (H5Lexists(f, lab.c_str(), H5P_DEFAULT) > 0) {
      Handle lds(H5Dopen2(f, lab.c_str(), H5P_DEFAULT), H5Dclose);
      Handle lspace(H5Dget_space(lds.get()), H5Sclose);
      GANKIT_CHECK_DATA(H5Sget_simple_extent_npoints(lspace.get()) == info.count,
                        "{}: {} has {} labels for {} feature rows", path.string(), lab,
                        H5Sget_simple_extent_npoints(lspace.get()), info.count);
      info.has_labels = true;
    }
    Handle group(H5Gopen2(f, name, H5P_DEFAULT), H5Gclose);
    auto group_attributes = read_string_attributes(group.get());
    info.source = group_attributes["source"];
    splits_.push_back(info);
    impl_->features.emplace(name, std::move(ds));
  }
  GANKIT_CHECK_DATA(!splits_.empty(),
                    "{} is not a feature file (no <split>/features datasets; make one with gan-eval "
                    "features)",
                    path.string());
}

FeatureReader::~FeatureReader() = default;

bool FeatureReader::has_split(const std::string& name) const { return impl_->features.count(name) > 0; }

const FeatureSplitInfo& FeatureReader::split(const std::string& name) const {
  for (const auto& s : splits_)
    if (s.name == name) return s;
  std::string have;
  for (const auto& s : splits_) have += (have.empty() ? "" : ", ") + s.name;
  fail(ErrorKind::Data, fmt::format("{} has no split '{}' (splits: {})", path_.string(), name, have));
}

std::vector<int64_t> FeatureReader::labels(const std::string& name) const {
  const FeatureSplitInfo& s = split(name);
  GANKIT_CHECK_DATA(s.has_labels, "{}: split {} has no labels (its images {} had none)", path_.string(), name,
                    s.source);
  Handle ds(H5Dopen2(impl_->file.get(), (name + "/labels").c_str(), H5P_DEFAULT), H5Dclose);
  std::vector<int64_t> out(static_cast<size_t>(s.count));
  GANKIT_CHECK_DATA(H5Dread(ds.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0,
                    "{}: cannot read {}/labels", path_.string(), name);
  for (size_t i = 0; i < out.size(); ++i)
    GANKIT_CHECK_DATA(out[i] >= 0 && out[i] <= kMaxLabel, "{}: {}/labels: row {} has label {}, outside [0, {}]",
                      path_.string(), name, i, out[i], kMaxLabel);
  return out;
}

void FeatureReader::read_rows(const std::string& name, int64_t start, int64_t n, float* out) const {
  const FeatureSplitInfo& s = split(name);
  GANKIT_CHECK(start >= 0 && n >= 0 && start + n <= s.count, Internal, "{}: rows [{}, {}) of {}", name, start,
               start + n, s.count);
  if (n == 0) return;
  GANKIT_CHECK_DATA(transfer_rows(impl_->features.at(name).get(), start, n, dim_, out, false) >= 0,
                    "{}: cannot read {}/features (file corrupt?)", path_.string(), name);
  // A NaN or infinity would train a classifier on garbage without a word: name the row.
  const size_t values = static_cast<size_t>(n) * static_cast<size_t>(dim_);
  for (size_t k = 0; k < values; ++k)
    GANKIT_CHECK_DATA(std::isfinite(out[k]), "{}: {}/features: row {} has a non-finite value ({}) in column {}",
                      path_.string(), name, start + static_cast<int64_t>(k / static_cast<size_t>(dim_)), out[k],
                      k % static_cast<size_t>(dim_));
}

void FeatureReader::read_indices(const std::string& name, std::span<const int64_t> indices, float* out) const {
  const int64_t count = split(name).count;
  const size_t row = static_cast<size_t>(dim_);
  std::vector<float> run;
  for_each_index_run(indices, [&](int64_t first, int64_t last, std::span<const size_t> positions) {
    GANKIT_CHECK(first >= 0 && last < count, Internal, "{}: rows {}..{} out of range (count {})", name, first, last,
                 count);
    run.resize(static_cast<size_t>(last - first + 1) * row);
    read_rows(name, first, last - first + 1, run.data());
    for (size_t k : positions)
      std::memcpy(out + k * row, run.data() + static_cast<size_t>(indices[k] - first) * row, row * sizeof(float));
  });
}

}  // namespace gankit
