// Where FID, KID and PRDC get their features: an image set run through a backbone, or a
// statistics file written earlier by `gan-eval stats` (so a real set is run through the
// backbone once and reused by every later call and by `gan-eval compare`).
//
// A statistics file is a feature file (feature_store.h) with one split "images" (the backbone's
// features, float32 (N, D), in the input's order) and these root attributes: kind =
// "backbone-features", backbone, backbone_hash, backbone_input_size, resize, input,
// input_fingerprint (backbone.h's image_set_fingerprint), num_images, tool_version. FID's mean
// and covariance are recomputed from the features (seconds at 50k x 2048).
#pragma once

#include <filesystem>
#include <string>

#include "backbone.h"
#include "feature_matrix.h"
#include "image_set.h"

namespace gankit {

struct FeatureSource {
  FeatureMatrix features;
  BackboneIdentity backbone;
  std::string input;        // the image set (as given), or the set the statistics file was made from
  std::string fingerprint;  // of the image set
  bool from_stats = false;
};

// True when `path` is an HDF5 file written by `gan-eval stats`.
bool is_stats_file(const std::filesystem::path& path);

// Throws Error(Data) naming the file when it is not a statistics file.
FeatureSource read_stats_file(const std::filesystem::path& path);

// Written under a temporary name and renamed when complete.
void write_stats_file(const std::filesystem::path& out, const FeatureSource& source, bool overwrite);

// `input` is a statistics file (checked against `spec` when spec.name is set: same backbone
// hash, input size and resize mode, else Error(Data) naming both) or images (`spec.name`
// required), of which the first `load.limit` are used (-1 = all; a statistics file must then
// hold at least as many, and its first rows are used).
FeatureSource feature_source(const std::filesystem::path& input, const BackboneSpec& spec, const ImageSetOptions& load,
                             const std::string& label);

// Throws Error(Data) unless both sets come from the same backbone, input size and resize mode.
void check_comparable(const FeatureSource& a, const FeatureSource& b);

}  // namespace gankit
