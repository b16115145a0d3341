#include "face_crop.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "atomic_output.h"
#include "error.h"
#include "image_io.h"
#include "image_sink.h"
#include "image_source.h"
#include "progress.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

struct Face {
  cv::Rect box;  // square
  double score = 0;
};

class FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  // Faces of side >= min_side in an RGB or gray photo.
  virtual std::vector<Face> detect(const cv::Mat& photo, int min_side) = 0;
  virtual std::string describe() const = 0;
};

class CascadeDetector : public FaceDetector {
 public:
  CascadeDetector(const fs::path& file, double scale_factor, int min_neighbors)
      : file_(file), scale_factor_(scale_factor), min_neighbors_(min_neighbors) {
    bool ok = false;
    try {
      ok = cascade_.load(file.string());
    } catch (const cv::Exception&) {
      ok = false;
    }
    GANKIT_CHECK_DATA(ok && !cascade_.empty(), "{} is not an OpenCV cascade file", file.string());
  }
  std::vector<Face> detect(const cv::Mat& photo, int min_side) override {
    cv::Mat gray;
    if (photo.channels() == 3)
      cv::cvtColor(photo, gray, cv::COLOR_RGB2GRAY);
    else
      gray = photo;
    cv::equalizeHist(gray, gray);
    std::vector<cv::Rect> boxes;
    std::vector<int> neighbours;
    cascade_.detectMultiScale(gray, boxes, neighbours, scale_factor_, min_neighbors_, 0, cv::Size(min_side, min_side));
    std::vector<Face> out;
    for (size_t i = 0; i < boxes.size(); ++i) out.push_back({boxes[i], static_cast<double>(neighbours[i])});
    return out;
  }
  std::string describe() const override {
    return fmt::format("cascade {} (scale factor {}, min neighbours {})", file_.filename().string(), scale_factor_,
                       min_neighbors_);
  }

 private:
  cv::CascadeClassifier cascade_;
  fs::path file_;
  double scale_factor_;
  int min_neighbors_;
};

class DnnDetector : public FaceDetector {
 public:
  DnnDetector(const fs::path& model, double threshold) : model_(model), threshold_(threshold) {
    GANKIT_CHECK_DATA(fs::is_regular_file(model), "face model {} does not exist", model.string());
    try {
      detector_ = cv::FaceDetectorYN::create(model.string(), "", cv::Size(320, 320), static_cast<float>(threshold));
    } catch (const cv::Exception& e) {
      fail(ErrorKind::Data,
           fmt::format("cannot load face model {} (a cv::FaceDetectorYN model such as YuNet .onnx): {}", model.string(),
                       first_line(e.what())));
    }
    GANKIT_CHECK_DATA(!detector_.empty(), "cannot load face model {}", model.string());
  }
  std::vector<Face> detect(const cv::Mat& photo, int min_side) override {
    cv::Mat bgr;
    cv::cvtColor(photo, bgr, photo.channels() == 3 ? cv::COLOR_RGB2BGR : cv::COLOR_GRAY2BGR);
    detector_->setInputSize(bgr.size());
    cv::Mat faces;
    detector_->detect(bgr, faces);
    std::vector<Face> out;
    for (int i = 0; i < faces.rows; ++i) {
      const float* f = faces.ptr<float>(i);  // x, y, w, h, 5 landmarks, score
      const int side = static_cast<int>(std::lround(std::max(f[2], f[3])));
      if (side < min_side) continue;
      const int cx = static_cast<int>(std::lround(f[0] + f[2] / 2)),
                cy = static_cast<int>(std::lround(f[1] + f[3] / 2));
      out.push_back({cv::Rect(cx - side / 2, cy - side / 2, side, side), f[faces.cols - 1]});
    }
    return out;
  }
  std::string describe() const override {
    return fmt::format("dnn {} (score threshold {})", model_.filename().string(), threshold_);
  }

 private:
  static std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }
  cv::Ptr<cv::FaceDetectorYN> detector_;
  fs::path model_;
  double threshold_;
};

std::unique_ptr<FaceDetector> make_detector(const FaceCropOptions& o) {
  if (!o.model.empty()) {
    GANKIT_CHECK_USAGE(o.cascade.empty(),
                       GANKIT_SETTING("cascade") " and " GANKIT_SETTING("model") " are two detectors: pick one");
    return std::make_unique<DnnDetector>(o.model, o.score_threshold);
  }
  return std::make_unique<CascadeDetector>(find_cascade(o.cascade.empty() ? "frontalface_default" : o.cascade),
                                           o.scale_factor, o.min_neighbors);
}

}  // namespace

fs::path find_cascade(const std::string& name_or_path) {
  if (fs::is_regular_file(name_or_path)) return name_or_path;
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("GANKIT_CASCADE_DIR")) dirs.emplace_back(env);
  for (const char* d : {"/usr/share/opencv4/haarcascades", "/usr/share/opencv4/lbpcascades",
                        "/usr/share/opencv/haarcascades", "/usr/share/opencv/lbpcascades",
                        "/usr/local/share/opencv4/haarcascades", "/usr/local/share/opencv4/lbpcascades"})
    dirs.emplace_back(d);
  const std::string names[] = {"haarcascade_" + name_or_path + ".xml", "lbpcascade_" + name_or_path + ".xml",
                               name_or_path + ".xml", name_or_path};
  for (const auto& d : dirs)
    for (const auto& n : names)
      if (fs::is_regular_file(d / n)) return d / n;
  fail(ErrorKind::Data,
       fmt::format("cannot find the face cascade '{}' (looked for haarcascade_{}.xml or lbpcascade_{}.xml in "
                   "$GANKIT_CASCADE_DIR and /usr/share/opencv4/*cascades; Debian package opencv-data)",
                   name_or_path, name_or_path, name_or_path));
}

FaceCropSummary crop_faces(const fs::path& source_path, const fs::path& out, const fs::path& manifest_path,
                           const FaceCropOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  GANKIT_CHECK_USAGE(o.min_face >= 8, GANKIT_SETTING("min_face") " {} must be at least 8 pixels", o.min_face);
  GANKIT_CHECK_USAGE(o.margin >= 0 && o.margin <= 2, GANKIT_SETTING("margin") " {} must be in [0, 2]", o.margin);
  GANKIT_CHECK_USAGE(o.size >= 4 && (o.size & (o.size - 1)) == 0,
                     GANKIT_SETTING("size") " {} must be a power of two (e.g. 64, 128)", o.size);
  GANKIT_CHECK_USAGE(o.max_faces >= 0, GANKIT_SETTING("max_faces_per_image") " {} must not be negative", o.max_faces);
  GANKIT_CHECK_USAGE(o.scale_factor > 1.0, GANKIT_SETTING("scale_factor") " {} must be above 1", o.scale_factor);
  GANKIT_CHECK_USAGE(o.min_neighbors >= 0, GANKIT_SETTING("min_neighbors") " {} must not be negative", o.min_neighbors);
  GANKIT_CHECK_USAGE(out.extension() != ".npy", "{}: write faces to an .h5 pyramid or a folder of PNGs", out.string());

  std::unique_ptr<FaceDetector> detector = make_detector(o);
  std::unique_ptr<ImageSource> source = open_source(source_path, {o.format, "", o.recursive});
  FaceCropSummary s;
  s.detector = detector->describe();
  ImageSinkOptions sink_options;
  sink_options.overwrite = o.overwrite;
  sink_options.attributes = {
      {"source", source_path.string()},
      {"importer", "gan-data faces"},
      {"detector", s.detector},
      {"filters", fmt::format("min_face {} margin {} max_faces {}", o.min_face, o.margin, o.max_faces)}};
  std::unique_ptr<ImageSink> sink = open_image_sink(out, 0, 3, o.size, sink_options);
  AtomicOutput manifest_output(manifest_path, o.overwrite);
  std::ofstream manifest(manifest_output.temp_path());
  GANKIT_CHECK_DATA(manifest.good(), "cannot write {}", manifest_path.string());
  auto record = [&](nlohmann::json line) { manifest << line.dump() << '\n'; };

  const int search_from = std::max(8, o.min_face / 2);
  Progress progress("faces", source->count(), o.progress, "photo");
  std::vector<SourceRecord> batch;
  ImageBatch crop(1, 3, o.size, o.size);
  bool more = true;
  while (more) {
    batch.clear();
    more = source->next_batch(batch, 64);
    for (SourceRecord& r : batch) {
      progress.add(1);
      if (!r.error.empty()) {
        ++s.unreadable;
        print_note(fmt::format("gan-data faces: skipped unreadable {}: {}", r.name, plain_text(r.error)));
        record({{"source", r.name}, {"kept", false}, {"reason", "unreadable"}, {"error", plain_text(r.error)}});
        continue;
      }
      ++s.photos;
      std::vector<Face> faces = detector->detect(r.image, search_from);
      if (faces.empty()) {
        ++s.without_face;
        record({{"source", r.name}, {"kept", false}, {"reason", "no face"}});
        continue;
      }
      s.detections += static_cast<int64_t>(faces.size());
      std::stable_sort(faces.begin(), faces.end(),
                       [](const Face& a, const Face& b) { return a.box.width > b.box.width; });
      const cv::Rect photo(0, 0, r.image.cols, r.image.rows);
      int64_t kept_here = 0;
      for (const Face& f : faces) {
        const int side = static_cast<int>(std::lround(f.box.width * (1 + 2 * o.margin)));
        const cv::Rect square(f.box.x + f.box.width / 2 - side / 2, f.box.y + f.box.height / 2 - side / 2, side, side);
        std::string reason;
        if (f.box.width < o.min_face) {
          reason = fmt::format("too small ({} < --min-face {})", f.box.width, o.min_face);
          ++s.too_small;
        } else if ((square & photo) != square) {
          reason = "too close to the border";
          ++s.at_border;
        } else if (o.max_faces > 0 && kept_here >= o.max_faces) {
          reason = fmt::format("beyond --max-faces-per-image {}", o.max_faces);
          ++s.over_limit;
        }
        nlohmann::json line = {{"source", r.name},
                               {"box", {f.box.x, f.box.y, f.box.width, f.box.height}},
                               {"crop", {square.x, square.y, square.width, square.height}},
                               {"score", f.score},
                               {"kept", reason.empty()}};
        if (!reason.empty()) {
          line["reason"] = reason;
          record(line);
          continue;
        }
        cv::Mat face = r.image(square), resized, rgb;
        cv::resize(face, resized, cv::Size(o.size, o.size), 0, 0, side >= o.size ? cv::INTER_AREA : cv::INTER_CUBIC);
        if (resized.channels() == 1)
          cv::cvtColor(resized, rgb, cv::COLOR_GRAY2RGB);
        else
          rgb = resized;
        mat_to_chw(rgb, crop.image(0));
        sink->append(crop);
        line["index"] = s.kept;
        record(line);
        ++s.kept;
        ++kept_here;
      }
    }
  }
  progress.finish();
  GANKIT_CHECK_DATA(s.kept > 0,
                    "no face kept in {} ({} photos, {} detections: {} too small, {} at the border; see " GANKIT_SETTING(
                        "min_face") ", " GANKIT_SETTING("margin") ", {})",
                    source_path.string(), s.photos, s.detections, s.too_small, s.at_border,
                    o.model.empty() ? GANKIT_SETTING("min_neighbors") : GANKIT_SETTING("score_threshold"));
  manifest.close();
  GANKIT_CHECK_DATA(manifest.good(), "cannot write {}", manifest_path.string());
  sink->commit();
  manifest_output.commit();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace gankit
