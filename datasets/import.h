// import_dataset — reads any supported source and streams it into our HDF5 pyramid.
//
// Every image becomes R x R (R a power of two) by these rules, applied in order:
//   1. format-specific preprocessing (IDX: pad 28 -> 32; CelebA: 128x128 face crop);
//   2. a non-square image is centre-cropped to its shorter side with --center-crop, else it is
//      an error naming the file;
//   3. without --resolution, R is the size of the first image and must be a power of two; an
//      image of another size is an error ("mixed sizes"); with --resolution, every image whose
//      size differs is resized with --resize-filter (area, lanczos or bicubic).
// Grayscale sources (IDX) stay C = 1; everything else is RGB.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "hdf5_store.h"
#include "image_source.h"
#include "progress.h"

namespace gankit {

struct ImportOptions {
  SourceOptions source;
  int resolution = 0;  // 0: from the first image
  std::string resize_filter = "area";
  bool center_crop = false;
  int64_t limit = -1;  // -1: all
  bool skip_bad = false;
  Compression compression;
  bool overwrite = false;
  ProgressOptions progress;
  // Optional: import only the records whose source position p has select[p] != 0 (positions
  // count every record, unreadable ones included; records beyond select.size() are skipped).
  std::vector<char> select;
  std::map<std::string, std::string> attributes;  // extra provenance for the output file
};

struct ImportSummary {
  std::string source;
  std::string format;
  int64_t count = 0;
  int64_t skipped = 0;
  int resolution = 0;
  int channels = 0;
  bool has_labels = false;
  std::vector<std::string> class_names;
  double seconds = 0;
};

ImportSummary import_dataset(const std::filesystem::path& source, const std::filesystem::path& out,
                             const ImportOptions& options);

// Rule 2 and 3 above for one image. `target` is R; `allow_resize` is whether --resolution was
// given. Returns a continuous R x R image. `interpolation` is a cv::INTER_* flag.
cv::Mat fit_to_resolution(const cv::Mat& img, int target, bool allow_resize, bool center_crop, int interpolation,
                          const std::string& name);
// "area" | "lanczos" | "bicubic" -> cv::INTER_*; throws Error(Usage) otherwise.
int parse_resize_filter(const std::string& name);

}  // namespace gankit
