// gan-data celebahq: CelebA-HQ-style aligned faces (face_align.h) from photos and their five
// landmarks, streamed into an HDF5 pyramid S x S ... 1 x 1.
//
// Landmarks: CelebA's list_landmarks_celeba.txt / list_landmarks_align_celeba.txt (a count line,
// a header line, then "NAME lefteye_x lefteye_y righteye_x righteye_y nose_x nose_y
// leftmouth_x leftmouth_y rightmouth_x rightmouth_y"), or any CSV / whitespace file with the
// same 11 fields per line (an optional header line). Photo NAME is read from IMG_DIR/NAME.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "face_align.h"
#include "progress.h"

namespace gankit {

struct LandmarkRow {
  std::string name;
  FaceLandmarks landmarks;
  int line = 0;  // in the landmarks file, for messages
};

// Throws Error(Data) naming the file and line of a malformed row, or a file without rows.
std::vector<LandmarkRow> read_landmarks(const std::filesystem::path& path);

struct CelebahqOptions {
  int size = 1024;
  int64_t limit = -1;     // first N rows
  bool skip_bad = false;  // skip (and name) unreadable photos and landmarks outside their photo
  bool overwrite = false;
  // The output grows as OUT.h5.partial with a checkpoint after every block of faces; `resume`
  // continues an interrupted run from its last checkpoint (no face twice, none missing).
  bool resume = false;
  ProgressOptions progress;
};

struct CelebahqSummary {
  int64_t rows = 0, written = 0, skipped = 0;
  int64_t resumed_at = 0;  // rows done before this run (resume)
  double seconds = 0;
};

CelebahqSummary build_celebahq(const std::filesystem::path& image_dir, const std::filesystem::path& landmarks,
                               const std::filesystem::path& out, const CelebahqOptions& options);

}  // namespace gankit
