#include "hdf5_store.h"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "atomic_output.h"
#include "error.h"
#include "fnv1a.h"
#include "hdf5_util.h"
#include "index_runs.h"
#include "pyramid.h"

#ifndef GANKIT_VERSION
#define GANKIT_VERSION "unknown"
#endif

namespace gankit {
namespace fs = std::filesystem;
using namespace h5;

const char* tool_version() { return GANKIT_VERSION; }

namespace {

std::string level_name(int r) { return "data" + std::to_string(r) + "x" + std::to_string(r); }

// "float32", "uint16", "int8", ... for messages.
std::string describe_type(hid_t type) {
  const size_t bits = H5Tget_size(type) * 8;
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return fmt::format("{}int{}", H5Tget_sign(type) == H5T_SGN_NONE ? "u" : "", bits);
    case H5T_FLOAT:
      return fmt::format("float{}", bits);
    default:
      return "a non-numeric type";
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
Compression Compression::parse(const std::string& text) {
  Compression c;
  if (text == "none") {
    c.gzip_level = 0;
  } else if (text == "gzip") {
    c.gzip_level = 4;
  } else if (text.rfind("gzip:", 0) == 0 && text.size() == 6 && text[5] >= '1' && text[5] <= '9') {
    c.gzip_level = text[5] - '0';
  } else {
    fail(ErrorKind::Usage,
         fmt::format(GANKIT_SETTING("compression") " {}: expected none, gzip or gzip:N with N in 1..9", text));
  }
  return c;
}

std::string Compression::to_string() const { return gzip_level == 0 ? "none" : "gzip:" + std::to_string(gzip_level); }

// ---------------------------------------------------------------------------------------------
struct PyramidWriter::Impl {
  Handle file;
  std::vector<Handle> levels;  // largest first
  Handle labels;
  std::vector<std::vector<uint8_t>> pyr;
  std::vector<float> scratch;
};

namespace {

// File access for a resumable writer: the file on disk must stay what the last checkpoint flushed
// until the next one, whatever kills the process in between. HDF5 writes new raw data to new
// space, but it writes dirty metadata (chunk indexes, dataspaces, attributes) whenever its cache
// evicts them, and a file holding half of the new metadata cannot be opened. With evictions off,
// metadata reaches the file only at a flush: at checkpoint() (a few milliseconds of writes, not
// the minutes of compressing and writing images between checkpoints). (The crash test's files
// are too small to fill the default 2 MB cache; a 30,000-face run's chunk indexes are not.)
Handle resumable_access() {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5AC_cache_config_t c{};
  c.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(fapl.get(), &c), "metadata cache config");
  c.evictions_enabled = false;
  c.incr_mode = H5C_incr__off;
  c.flash_incr_mode = H5C_flash_incr__off;
  c.decr_mode = H5C_decr__off;
  check(H5Pset_mdc_config(fapl.get(), &c), "metadata cache config");
  return fapl;
}

}  // namespace

PyramidWriter::PyramidWriter(const fs::path& out, int resolution, int channels, PyramidWriterOptions options)
    : impl_(std::make_unique<Impl>()),
      options_(std::move(options)),
      output_(options_.resumable ? AtomicOutput(out, options_.overwrite, AtomicOutput::Resumable{})
                                 : AtomicOutput(out, options_.overwrite)),
      resolution_(resolution),
      channels_(channels) {
  silence_hdf5();
  GANKIT_CHECK_USAGE(is_power_of_two(resolution) && resolution <= kMaxPyramidResolution,
                     "resolution {} is not a power of two from 1 to {}", resolution, kMaxPyramidResolution);
  GANKIT_CHECK_USAGE(channels == 1 || channels == 3, "channels {} must be 1 or 3", channels);
  const size_t image_bytes = static_cast<size_t>(channels) * resolution * resolution;
  block_capacity_ = std::clamp<size_t>(options_.block_bytes / image_bytes, 1, 4096);
  block_.resize(block_capacity_ * image_bytes);
  block_labels_.resize(block_capacity_);

  if (options_.resumable && fs::exists(output_.temp_path())) {
    GANKIT_CHECK_USAGE(options_.resume || options_.overwrite,
                       "{} exists from an interrupted run: pass " GANKIT_SETTING(
                           "resume") " to continue it or " GANKIT_SETTING("overwrite") " to start over",
                       output_.temp_path().string());
    if (options_.resume) {
      reopen_partial();
      return;
    }
    fs::remove(output_.temp_path());
  }
  const Handle fapl = options_.resumable ? resumable_access() : Handle();
  impl_->file = Handle(
      H5Fcreate(output_.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.valid() ? fapl.get() : H5P_DEFAULT),
      H5Fclose);
  GANKIT_CHECK_DATA(impl_->file.valid(), "cannot create {}", output_.temp_path().string());
  for (int r = resolution; r >= 1; r /= 2) {
    const hsize_t level_bytes = static_cast<hsize_t>(channels) * static_cast<hsize_t>(r) * static_cast<hsize_t>(r);
    const hsize_t per_chunk = (128 + level_bytes - 1) / level_bytes;
    hsize_t dims[4] = {0, static_cast<hsize_t>(channels), static_cast<hsize_t>(r), static_cast<hsize_t>(r)};
    hsize_t maxdims[4] = {H5S_UNLIMITED, dims[1], dims[2], dims[3]};
    hsize_t chunk[4] = {per_chunk, dims[1], dims[2], dims[3]};
    Handle space(H5Screate_simple(4, dims, maxdims), H5Sclose);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    check(H5Pset_chunk(dcpl.get(), 4, chunk), "set chunk");
    if (options_.compression.gzip_level > 0)
      check(H5Pset_deflate(dcpl.get(), options_.compression.gzip_level), "deflate");
    Handle ds(H5Dcreate2(impl_->file.get(), level_name(r).c_str(), H5T_STD_U8LE, space.get(), H5P_DEFAULT, dcpl.get(),
                         H5P_DEFAULT),
              H5Dclose);
    GANKIT_CHECK(ds.valid(), Internal, "cannot create dataset {}", level_name(r));
    impl_->levels.push_back(std::move(ds));
  }
  if (options_.with_labels) {
    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {4096};
    Handle space(H5Screate_simple(1, dims, maxdims), H5Sclose);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    check(H5Pset_chunk(dcpl.get(), 1, chunk), "set chunk");
    if (options_.compression.gzip_level > 0)
      check(H5Pset_deflate(dcpl.get(), options_.compression.gzip_level), "deflate");
    impl_->labels = Handle(
        H5Dcreate2(impl_->file.get(), "labels", H5T_STD_I64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
        H5Dclose);
    GANKIT_CHECK(impl_->labels.valid(), Internal, "cannot create dataset labels");
  }
  // A resumable file is on disk, empty and resumable, before any image: killed at once, it resumes
  // from the start (it is still removed if the run fails before its first checkpoint).
  if (options_.resumable) write_resume_state("");
}

void PyramidWriter::reopen_partial() {
  const fs::path& path = output_.temp_path();
  const std::string damaged = fmt::format(
      "cannot resume from {} (damaged by the interruption?): pass " GANKIT_SETTING("overwrite") " to "
      "start over",
      path.string());
  impl_->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, resumable_access().get()), H5Fclose);
  GANKIT_CHECK_DATA(impl_->file.valid(), "{}", damaged);
  const hid_t f = impl_->file.get();
  const auto attributes = read_string_attributes(f);
  GANKIT_CHECK_DATA(attributes.count("resume_count") > 0, "{}", damaged);
  count_ = std::stoll(attributes.at("resume_count"));
  checkpointed_ = true;
  resume_token_ = attributes.count("resume_token") ? attributes.at("resume_token") : "";
  for (int r = resolution_; r >= 1; r /= 2) {
    Handle ds(H5Dopen2(f, level_name(r).c_str(), H5P_DEFAULT), H5Dclose);
    GANKIT_CHECK_DATA(
        ds.valid(),
        "{} was written at another resolution (it has no {} level): pass " GANKIT_SETTING("overwrite") " to start over",
        path.string(), level_name(r));
    Handle space(H5Dget_space(ds.get()), H5Sclose);
    hsize_t dims[4] = {0, 0, 0, 0};
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    GANKIT_CHECK_DATA(dims[1] == static_cast<hsize_t>(channels_) && static_cast<int64_t>(dims[0]) >= count_,
                      "{} holds {} images of {} channels at {}; expected at least {} of {}", path.string(), dims[0],
                      dims[1], level_name(r), count_, channels_);
    dims[0] = static_cast<hsize_t>(count_);  // drop images written after the last checkpoint
    check(H5Dset_extent(ds.get(), dims), "truncate " + level_name(r));
    impl_->levels.push_back(std::move(ds));
  }
  if (options_.with_labels) {
    impl_->labels = Handle(H5Dopen2(f, "labels", H5P_DEFAULT), H5Dclose);
    GANKIT_CHECK_DATA(impl_->labels.valid(), "{}", damaged);
    hsize_t dims[1] = {static_cast<hsize_t>(count_)};
    check(H5Dset_extent(impl_->labels.get(), dims), "truncate labels");
  }
}

void PyramidWriter::checkpoint(const std::string& token) {
  GANKIT_CHECK(options_.resumable, Internal, "checkpoint() of a writer that is not resumable");
  flush();
  write_resume_state(token);
  checkpointed_ = true;
}

void PyramidWriter::write_resume_state(const std::string& token) {
  const hid_t f = impl_->file.get();
  for (const char* name : {"resume_count", "resume_token"})
    if (H5Aexists(f, name) > 0) check(H5Adelete(f, name), std::string("delete attribute ") + name);
  write_string_attribute(f, "resume_count", std::to_string(count_));
  write_string_attribute(f, "resume_token", token);
  check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
}

PyramidWriter::~PyramidWriter() {
  // An uncommitted temporary is removed by output_, except a resumable one, which stays for
  // --resume once it holds a checkpoint (before that there is nothing to resume).
  if (options_.resumable && !checkpointed_ && impl_->file.valid()) {
    impl_->labels.reset();
    impl_->levels.clear();
    impl_->file.reset();
    std::error_code ec;
    fs::remove(output_.temp_path(), ec);
  }
}

void PyramidWriter::append(const uint8_t* chw, int64_t label) {
  const size_t image_bytes = static_cast<size_t>(channels_) * resolution_ * resolution_;
  if (options_.with_labels) GANKIT_CHECK_DATA(label >= 0, "image {} has no label", count_);
  std::memcpy(block_.data() + block_count_ * image_bytes, chw, image_bytes);
  block_labels_[block_count_] = label;
  ++block_count_;
  ++count_;
  if (block_count_ == block_capacity_) flush();
}

void PyramidWriter::flush() {
  if (block_count_ == 0) return;
  const size_t image_bytes = static_cast<size_t>(channels_) * resolution_ * resolution_;
  const hsize_t start = static_cast<hsize_t>(count_) - block_count_;
  const size_t num_levels = impl_->levels.size();
  // Gather every level of the block, then one write per level.
  std::vector<std::vector<uint8_t>> level_data(num_levels);
  for (size_t k = 0; k < num_levels; ++k) {
    const size_t r = static_cast<size_t>(resolution_) >> k;
    level_data[k].resize(block_count_ * channels_ * r * r);
  }
  for (size_t i = 0; i < block_count_; ++i) {
    build_pyramid(block_.data() + i * image_bytes, channels_, resolution_, impl_->pyr, impl_->scratch);
    for (size_t k = 0; k < num_levels; ++k)
      std::memcpy(level_data[k].data() + i * impl_->pyr[k].size(), impl_->pyr[k].data(), impl_->pyr[k].size());
  }
  for (size_t k = 0; k < num_levels; ++k) {
    const hsize_t r = static_cast<hsize_t>(resolution_) >> k;
    hid_t ds = impl_->levels[k].get();
    hsize_t new_dims[4] = {start + block_count_, static_cast<hsize_t>(channels_), r, r};
    check(H5Dset_extent(ds, new_dims), "extend " + level_name(static_cast<int>(r)));
    Handle fspace(H5Dget_space(ds), H5Sclose);
    hsize_t off[4] = {start, 0, 0, 0};
    hsize_t cnt[4] = {block_count_, static_cast<hsize_t>(channels_), r, r};
    check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, off, nullptr, cnt, nullptr), "select");
    Handle mspace(H5Screate_simple(4, cnt, nullptr), H5Sclose);
    check(H5Dwrite(ds, H5T_NATIVE_UINT8, mspace.get(), fspace.get(), H5P_DEFAULT, level_data[k].data()),
          "write " + level_name(static_cast<int>(r)));
  }
  if (impl_->labels.valid()) {
    hid_t ds = impl_->labels.get();
    hsize_t new_dims[1] = {start + block_count_};
    check(H5Dset_extent(ds, new_dims), "extend labels");
    Handle fspace(H5Dget_space(ds), H5Sclose);
    hsize_t off[1] = {start}, cnt[1] = {block_count_};
    check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, off, nullptr, cnt, nullptr), "select");
    Handle mspace(H5Screate_simple(1, cnt, nullptr), H5Sclose);
    check(H5Dwrite(ds, H5T_NATIVE_INT64, mspace.get(), fspace.get(), H5P_DEFAULT, block_labels_.data()),
          "write labels");
  }
  block_count_ = 0;
}

void PyramidWriter::commit() {
  flush();
  GANKIT_CHECK_DATA(count_ > 0, "no images to write to {}", output_.target().string());
  options_.attributes["tool_version"] = tool_version();
  for (const char* name : {"resume_count", "resume_token"})
    if (H5Aexists(impl_->file.get(), name) > 0) check(H5Adelete(impl_->file.get(), name), "delete attribute");
  for (const auto& [k, v] : options_.attributes) {
    if (H5Aexists(impl_->file.get(), k.c_str()) > 0) check(H5Adelete(impl_->file.get(), k.c_str()), "attribute " + k);
    write_string_attribute(impl_->file.get(), k, v);
  }
  if (impl_->labels.valid() && !options_.class_names.empty())
    write_string_array_attribute(impl_->labels.get(), "class_names", options_.class_names);
  close_checked(impl_->labels, "close labels");
  for (auto& level : impl_->levels) close_checked(level, "close level");
  impl_->levels.clear();
  check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "flush");
  close_checked(impl_->file, "close " + output_.temp_path().string());
  output_.commit();
}

// ---------------------------------------------------------------------------------------------
struct PyramidReader::Impl {
  Handle file;
  std::map<int, Handle> levels;
};

PyramidReader::PyramidReader(const fs::path& path, size_t chunk_cache_bytes)
    : impl_(std::make_unique<Impl>()), path_(path) {
  silence_hdf5();
  GANKIT_CHECK_DATA(fs::exists(path), "{} does not exist", path.string());
  GANKIT_CHECK_DATA(fs::is_regular_file(path), "{} is not a file", path.string());
  GANKIT_CHECK_DATA(H5Fis_hdf5(path.c_str()) > 0, "{} is not an HDF5 file", path.string());
  impl_->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  GANKIT_CHECK_DATA(impl_->file.valid(), "cannot open {}", path.string());
  input_ = InputFile(path);
  // Levels: every dataset named data{r}x{r}.
  hid_t f = impl_->file.get();
  H5G_info_t ginfo;
  check(H5Gget_info(f, &ginfo), "group info");
  for (hsize_t i = 0; i < ginfo.nlinks; ++i) {
    char name[256];
    if (H5Lget_name_by_idx(f, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof(name), H5P_DEFAULT) < 0) continue;
    int r1 = 0, r2 = 0;
    char tail = 0;
    if (std::sscanf(name, "data%dx%d%c", &r1, &r2, &tail) != 2 || r1 != r2 || r1 <= 0) continue;
    GANKIT_CHECK_DATA(r1 <= kMaxPyramidResolution, "{}: level {} is larger than the largest supported ({}x{})",
                      path.string(), name, kMaxPyramidResolution, kMaxPyramidResolution);
    Handle dapl(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose);
    H5Pset_chunk_cache(dapl.get(), 12421, chunk_cache_bytes, 0.75);
    Handle ds(H5Dopen2(f, name, dapl.get()), H5Dclose);
    if (!ds.valid()) continue;
    {  // our store is uint8: another type would be converted (clipped) by HDF5 without a word
      Handle type(H5Dget_type(ds.get()), H5Tclose);
      const bool u8 = H5Tget_class(type.get()) == H5T_INTEGER && H5Tget_size(type.get()) == 1 &&
                      H5Tget_sign(type.get()) == H5T_SGN_NONE;
      GANKIT_CHECK_DATA(u8, "{}: dataset {} holds {}, not uint8 pixels (0..255): convert it to uint8 first",
                        path.string(), name, describe_type(type.get()));
    }
    Handle space(H5Dget_space(ds.get()), H5Sclose);
    hsize_t dims[4];
    GANKIT_CHECK_DATA(H5Sget_simple_extent_ndims(space.get()) == 4, "{}: dataset {} is not 4-D (N, C, r, r)",
                      path.string(), name);
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    GANKIT_CHECK_DATA(
        dims[2] == static_cast<hsize_t>(r1) && dims[3] == static_cast<hsize_t>(r1) && (dims[1] == 1 || dims[1] == 3),
        "{}: dataset {} has shape ({}, {}, {}, {}), expected (N, 1|3, {}, {})", path.string(), name, dims[0], dims[1],
        dims[2], dims[3], r1, r1);
    if (info_.resolutions.empty() || r1 > info_.resolution) {
      info_.resolution = r1;
      info_.channels = static_cast<int>(dims[1]);
      info_.count = static_cast<int64_t>(dims[0]);
    }
    info_.resolutions.push_back(r1);
    impl_->levels.emplace(r1, std::move(ds));
  }
  GANKIT_CHECK_DATA(!info_.resolutions.empty(), "{}: no image levels (datasets named data<r>x<r>)", path.string());
  std::sort(info_.resolutions.rbegin(), info_.resolutions.rend());
  for (auto& [r, ds] : impl_->levels) {
    Handle space(H5Dget_space(ds.get()), H5Sclose);
    hsize_t dims[4];
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    GANKIT_CHECK_DATA(static_cast<int64_t>(dims[0]) == info_.count && static_cast<int>(dims[1]) == info_.channels,
                      "{}: level {} has {} images of {} channels but the largest level has {} of {}", path.string(),
                      level_name(r), dims[0], dims[1], info_.count, info_.channels);
  }
  {
    Handle dcpl(H5Dget_create_plist(impl_->levels.at(info_.resolution).get()), H5Pclose);
    info_.compression = "none";
    for (int i = 0, n = H5Pget_nfilters(dcpl.get()); i < n; ++i) {
      unsigned flags = 0, cd[8];
      size_t ncd = 8;
      char fname[64];
      if (H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &ncd, cd, sizeof(fname), fname, nullptr) ==
              H5Z_FILTER_DEFLATE &&
          ncd >= 1)
        info_.compression = "gzip:" + std::to_string(cd[0]);
    }
  }
  // Labels and class names.
  if (H5Lexists(f, "labels", H5P_DEFAULT) > 0) {
    Handle ds(H5Dopen2(f, "labels", H5P_DEFAULT), H5Dclose);
    Handle space(H5Dget_space(ds.get()), H5Sclose);
    GANKIT_CHECK_DATA(H5Sget_simple_extent_npoints(space.get()) == info_.count,
                      "{}: labels has {} entries but there are {} images", path.string(),
                      H5Sget_simple_extent_npoints(space.get()), info_.count);
    info_.has_labels = true;
    if (H5Aexists(ds.get(), "class_names") > 0) {
      Handle attr(H5Aopen(ds.get(), "class_names", H5P_DEFAULT), H5Aclose);
      info_.class_names = read_string_attribute(attr.get());
    }
  }
  info_.attributes = read_string_attributes(f);  // root attributes (strings only)
}

PyramidReader::~PyramidReader() = default;

bool PyramidReader::has_level(int r) const { return impl_->levels.count(r) > 0; }

void PyramidReader::require_level(int r) const {
  if (has_level(r)) return;
  std::string have;
  for (int v : info_.resolutions) have += (have.empty() ? "" : ", ") + std::to_string(v);
  fail(ErrorKind::Data, fmt::format("{} has no {}x{} level (levels: {})", path_.string(), r, r, have));
}

int64_t PyramidReader::chunk_images(int r) const {
  require_level(r);
  Handle dcpl(H5Dget_create_plist(impl_->levels.at(r).get()), H5Pclose);
  hsize_t chunk[4] = {1, 1, 1, 1};
  if (H5Pget_layout(dcpl.get()) != H5D_CHUNKED || H5Pget_chunk(dcpl.get(), 4, chunk) < 1) return 1;
  return std::max<int64_t>(1, static_cast<int64_t>(chunk[0]));
}

ImageBatch PyramidReader::read(int r, int64_t start, int64_t n) const {
  require_level(r);
  GANKIT_CHECK_USAGE(start >= 0 && n >= 0 && start + n <= info_.count, "{}: images [{}, {}) out of range (count {})",
                     path_.string(), start, start + n, info_.count);
  ImageBatch batch(n, info_.channels, r, r);
  if (n == 0) return batch;
  hid_t ds = impl_->levels.at(r).get();
  Handle fspace(H5Dget_space(ds), H5Sclose);
  hsize_t off[4] = {static_cast<hsize_t>(start), 0, 0, 0};
  hsize_t cnt[4] = {static_cast<hsize_t>(n), static_cast<hsize_t>(info_.channels), static_cast<hsize_t>(r),
                    static_cast<hsize_t>(r)};
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, off, nullptr, cnt, nullptr), "select");
  Handle mspace(H5Screate_simple(4, cnt, nullptr), H5Sclose);
  GANKIT_CHECK_DATA(H5Dread(ds, H5T_NATIVE_UINT8, mspace.get(), fspace.get(), H5P_DEFAULT, batch.data.data()) >= 0,
                    "{}: cannot read {} (file corrupt?)", path_.string(), level_name(r));
  return batch;
}

ImageBatch PyramidReader::read_indices(int r, std::span<const int64_t> indices) const {
  require_level(r);
  ImageBatch batch(static_cast<int64_t>(indices.size()), info_.channels, r, r);
  for_each_index_run(indices, [&](int64_t first, int64_t last, std::span<const size_t> positions) {
    GANKIT_CHECK_USAGE(first >= 0 && last < info_.count, "{}: image index {} out of range (count {})", path_.string(),
                       first < 0 ? first : last, info_.count);
    const ImageBatch run = read(r, first, last - first + 1);
    for (size_t k : positions)
      std::memcpy(batch.image(static_cast<int64_t>(k)), run.image(indices[k] - first), batch.image_bytes());
  });
  return batch;
}

std::string dataset_fingerprint(const PyramidReader& reader, int r) {
  const int64_t n = reader.count();
  const int64_t samples = std::min<int64_t>(n, 64);
  std::vector<int64_t> indices(static_cast<size_t>(samples));
  for (int64_t i = 0; i < samples; ++i) indices[static_cast<size_t>(i)] = samples > 1 ? i * (n - 1) / (samples - 1) : 0;
  const ImageBatch batch = reader.read_indices(r, indices);
  const uint64_t h = fnv1a(kFnv1aBasis, batch.data.data(), batch.data.size());
  return fmt::format("N={} C={} R={} h={:016x}", n, reader.channels(), r, h);
}

std::vector<int64_t> PyramidReader::labels() const {
  if (!info_.has_labels) return {};
  Handle ds(H5Dopen2(impl_->file.get(), "labels", H5P_DEFAULT), H5Dclose);
  std::vector<int64_t> out(static_cast<size_t>(info_.count));
  GANKIT_CHECK_DATA(H5Dread(ds.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0,
                    "{}: cannot read labels", path_.string());
  // With class names, a label indexes them; without, it must still be a class number.
  const int64_t limit = info_.class_names.empty() ? kMaxLabel + 1 : static_cast<int64_t>(info_.class_names.size());
  for (size_t i = 0; i < out.size(); ++i)
    GANKIT_CHECK_DATA(out[i] >= 0 && out[i] < limit, "{}: labels: image {} has label {}, outside [0, {}){}",
                      path_.string(), i, out[i], limit, info_.class_names.empty() ? "" : " (the class names)");
  return out;
}

}  // namespace gankit
