// Face-crop filtering (DCGAN's face dataset; spec DATASETS.md "Face-crop filtering"): run an
// OpenCV face detector over raw photos and keep only faces of sufficiently high resolution, as
// square crops resized to one size.
//
// Detectors: a Haar or LBP cascade (default haarcascade_frontalface_default.xml from Debian's
// opencv-data, found automatically; the score is the number of merged neighbour detections),
// or a cv::dnn face model through cv::FaceDetectorYN (YuNet .onnx; the score is its confidence).
// For each detected face (box side w): the crop is the square of side round(w * (1 + 2 *
// margin)) centred on the box. A face is kept when w >= min_face and the crop lies inside the
// photo (no padding is invented); the largest max_faces per photo are kept (0 = all). Faces are
// searched from min_face / 2 up, so the manifest also names the faces rejected as too small.
// Crops are RGB, resized with area interpolation (cubic when enlarging) to size x size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "progress.h"

namespace gankit {

struct FaceCropOptions {
  std::string cascade;          // cascade file or name (frontalface_default, lbp_frontalface, ...); "" = default
  std::filesystem::path model;  // a FaceDetectorYN model instead of a cascade
  int min_face = 64;
  double margin = 0.25;
  int size = 128;
  int max_faces = 0;             // per photo, largest first (0 = all)
  double scale_factor = 1.1;     // cascade pyramid step
  int min_neighbors = 5;         // cascade: detections to merge before a face counts
  double score_threshold = 0.9;  // dnn model
  std::string format = "auto";   // source format (folder, lsun, ...)
  bool recursive = false;
  bool overwrite = false;
  ProgressOptions progress;
};

struct FaceCropSummary {
  std::string detector;      // what ran, for provenance
  int64_t photos = 0;        // readable photos
  int64_t unreadable = 0;    // skipped, each named on stderr and in the manifest
  int64_t without_face = 0;  // photos with no detection at all
  int64_t detections = 0;
  int64_t kept = 0;
  int64_t too_small = 0;
  int64_t at_border = 0;
  int64_t over_limit = 0;  // beyond max_faces in their photo
  double seconds = 0;
};

// The cascade file for `name_or_path`: an existing file, or a name looked up as
// haarcascade_<name>.xml / lbpcascade_<name>.xml / <name>.xml in the OpenCV data folders
// ($GANKIT_CASCADE_DIR, /usr/share/opencv4/{haar,lbp}cascades, ...). Throws Error(Data) naming
// what was looked for.
std::filesystem::path find_cascade(const std::string& name_or_path);

// Crops the faces of every photo of `source` into `out` (an HDF5 pyramid when it ends in .h5,
// else a folder of PNGs) and writes a JSON-lines manifest to `manifest`: one line per
// detection {"source", "box": [x, y, w, h], "score", "kept", "reason", "index"} and one per
// photo without a kept face reason ("no face", "unreadable"). Both appear only when complete.
// Throws Error(Data) when no face is kept.
FaceCropSummary crop_faces(const std::filesystem::path& source, const std::filesystem::path& out,
                           const std::filesystem::path& manifest, const FaceCropOptions& options);

}  // namespace gankit
