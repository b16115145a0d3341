#include "celebahq.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>
#include <sstream>

#include "atomic_output.h"
#include "error.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "parallel.h"
#include "progress.h"

namespace gankit {
namespace fs = std::filesystem;

std::vector<LandmarkRow> read_landmarks(const fs::path& path) {
  std::ifstream in(path);
  GANKIT_CHECK_DATA(in.good(), "cannot read landmarks {}", path.string());
  note_input(path);
  std::vector<LandmarkRow> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    for (char& ch : line)
      if (ch == ',' || ch == '\t' || ch == '\r') ch = ' ';
    std::istringstream ss(line);
    std::vector<std::string> fields;
    for (std::string f; ss >> f;) fields.push_back(f);
    if (fields.empty()) continue;
    // CelebA's count line and header line; a CSV header.
    if (number <= 2 && (fields.size() == 1 || fields.size() == 10 ||
                        (fields.size() == 11 && fields[1].find_first_not_of("0123456789.-+eE") != std::string::npos)))
      continue;
    GANKIT_CHECK_DATA(fields.size() == 11, "{}:{}: expected NAME and 10 numbers (5 landmarks as x y), got {} fields",
                      path.string(), number, fields.size());
    double v[10];
    for (int k = 0; k < 10; ++k) {
      size_t used = 0;
      try {
        v[k] = std::stod(fields[k + 1], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      GANKIT_CHECK_DATA(used == fields[k + 1].size(), "{}:{}: '{}' is not a number", path.string(), number,
                        fields[k + 1]);
    }
    rows.push_back({fields[0],
                    {cv::Point2d(v[0], v[1]), cv::Point2d(v[2], v[3]), cv::Point2d(v[4], v[5]), cv::Point2d(v[6], v[7]),
                     cv::Point2d(v[8], v[9])},
                    number});
  }
  GANKIT_CHECK_DATA(!rows.empty(), "{} has no landmark rows", path.string());
  return rows;
}

CelebahqSummary build_celebahq(const fs::path& image_dir, const fs::path& landmarks_path, const fs::path& out,
                               const CelebahqOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  GANKIT_CHECK_USAGE(o.size >= 4 && o.size <= 4096 && (o.size & (o.size - 1)) == 0,
                     GANKIT_SETTING("size") " {} must be a power of two from 4 to 4096", o.size);
  GANKIT_CHECK_DATA(fs::is_directory(image_dir), "{} is not a folder of photos", image_dir.string());
  std::vector<LandmarkRow> rows = read_landmarks(landmarks_path);
  if (o.limit >= 0 && static_cast<int64_t>(rows.size()) > o.limit) rows.resize(static_cast<size_t>(o.limit));
  PyramidWriterOptions wo;
  wo.overwrite = o.overwrite;
  wo.resumable = true;
  wo.resume = o.resume;
  wo.attributes = {{"source", image_dir.string()},
                   {"landmarks", landmarks_path.string()},
                   {"importer", "gan-data celebahq"},
                   {"filters", fmt::format("CelebA-HQ alignment to {}x{}", o.size, o.size)}};
  // A 1024 face is 3 MiB and its 4x supersampled warp 48 MiB: align a few photos per thread at a time.
  wo.block_bytes = std::max<size_t>(wo.block_bytes, static_cast<size_t>(3) * o.size * o.size);
  PyramidWriter writer(out, o.size, 3, wo);
  CelebahqSummary s;
  s.rows = static_cast<int64_t>(rows.size());
  const nlohmann::json job = {{"images", image_dir.string()}, {"landmarks", landmarks_path.string()}, {"size", o.size}};
  if (!writer.resume_token().empty()) {
    const nlohmann::json token = nlohmann::json::parse(writer.resume_token(), nullptr, false);
    GANKIT_CHECK_DATA(token.is_object() && token.value("job", nlohmann::json()) == job,
                      GANKIT_SETTING("resume") ": {}.partial was made from other photos, landmarks or " GANKIT_SETTING("size") " ({}); pass " GANKIT_SETTING("overwrite") " to "
                      "start over",
                      out.string(), token.is_object() ? token.value("job", nlohmann::json()).dump() : "unreadable");
    s.resumed_at = token.value("rows", int64_t{0});
    s.skipped = token.value("skipped", int64_t{0});
    s.written = writer.count();
    if (!o.progress.quiet)
      std::fprintf(stderr, "gan-data celebahq: resuming at row %lld (%lld faces written)\n",
                   static_cast<long long>(s.resumed_at), static_cast<long long>(s.written));
  }
  Progress progress("celebahq", s.rows - s.resumed_at, o.progress);
  // Faces aligned in parallel and checkpointed together (a fixed count: where a resumed run
  // continues does not depend on the machine).
  constexpr int64_t block = 16;
  std::vector<cv::Mat> faces;
  std::vector<std::string> errors;
  std::vector<uint8_t> chw(static_cast<size_t>(3) * o.size * o.size);
  for (int64_t b0 = s.resumed_at; b0 < s.rows; b0 += block) {
    const int64_t n = std::min(block, s.rows - b0);
    faces.assign(static_cast<size_t>(n), cv::Mat());
    errors.assign(static_cast<size_t>(n), std::string());
    parallel_for_ordered(n, [&](int64_t i) {
      const LandmarkRow& r = rows[static_cast<size_t>(b0 + i)];
      const fs::path file = image_dir / r.name;
      try {
        GANKIT_CHECK_DATA(fs::is_regular_file(file), "{} (landmarks line {}) does not exist", file.string(), r.line);
        const cv::Mat photo = read_image(file);
        const cv::Rect inside(0, 0, photo.cols, photo.rows);
        for (const cv::Point2d& p : {r.landmarks.left_eye, r.landmarks.right_eye, r.landmarks.nose,
                                     r.landmarks.left_mouth, r.landmarks.right_mouth})
          GANKIT_CHECK_DATA(
              inside.contains(cv::Point(static_cast<int>(std::floor(p.x)), static_cast<int>(std::floor(p.y)))),
              "{}:{}: landmark ({}, {}) lies outside {} ({}x{})", landmarks_path.string(), r.line, p.x, p.y,
              file.string(), photo.cols, photo.rows);
        faces[static_cast<size_t>(i)] = align_face(photo, r.landmarks, o.size);
      } catch (const Error& e) {
        if (!o.skip_bad) throw;
        errors[static_cast<size_t>(i)] = e.raw();
      }
    });
    for (int64_t i = 0; i < n; ++i) {
      if (!errors[static_cast<size_t>(i)].empty()) {
        ++s.skipped;
        print_note("gan-data celebahq: skipped: " + plain_text(errors[static_cast<size_t>(i)]));
        continue;
      }
      mat_to_chw(faces[static_cast<size_t>(i)], chw.data());
      writer.append(chw.data());
      ++s.written;
    }
    writer.checkpoint(nlohmann::json{{"job", job}, {"rows", b0 + n}, {"skipped", s.skipped}}.dump());
    progress.add(n);
  }
  progress.finish();
  GANKIT_CHECK_DATA(s.written > 0, "no face aligned ({} rows, {} skipped)", s.rows, s.skipped);
  writer.set_attribute("skipped", std::to_string(s.skipped));
  writer.commit();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace gankit
