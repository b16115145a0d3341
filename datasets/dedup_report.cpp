#include "dedup_report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <opencv2/imgproc.hpp>

#include "error.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "import.h"

namespace gankit {

namespace fs = std::filesystem;

std::vector<double> group_spreads(const DuplicateGroups& groups, const std::vector<uint8_t>& sketches) {
  std::vector<double> out(groups.groups.size(), 0.0);
  if (sketches.empty()) return out;
  auto sketch = [&](int64_t i) { return sketches.data() + static_cast<size_t>(i) * kSketchBytes; };
  for (size_t k = 0; k < groups.groups.size(); ++k) {
    const auto& members = groups.groups[k];
    for (size_t m = 1; m < members.size(); ++m)
      out[k] = std::max(out[k], sketch_distance(sketch(members[0]), sketch(members[m])));
  }
  return out;
}

std::vector<size_t> doubtful_groups(const DuplicateGroups& groups, const std::vector<double>& spreads) {
  std::vector<size_t> order(groups.groups.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto before = [&](size_t a, size_t b) {
    if (spreads[a] != spreads[b]) return spreads[a] > spreads[b];
    if (groups.groups[a].size() != groups.groups[b].size()) return groups.groups[a].size() > groups.groups[b].size();
    return a < b;
  };
  const size_t n = std::min<size_t>(order.size(), kSheetGroups);
  std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(n), order.end(), before);
  order.resize(n);
  return order;
}

namespace {

// The shown images (record indices, sorted, distinct) at kSheetCell x kSheetCell, RGB, in the
// order of `records`.
std::vector<cv::Mat> read_cells(const fs::path& input, const DatasetInputOptions& input_options, bool random_access,
                                const std::vector<int64_t>& records, const fs::path& sheet,
                                const ProgressOptions& progress) {
  std::vector<cv::Mat> cells;
  auto add = [&](const ImageBatch& b) {
    for (int64_t i = 0; i < b.n; ++i) {
      cv::Mat m = chw_to_mat(b.image(i), b.c, b.h, b.w), rgb, cell;
      if (b.c == 1)
        cv::cvtColor(m, rgb, cv::COLOR_GRAY2RGB);
      else
        rgb = m;
      const int side = std::min(rgb.rows, rgb.cols);
      const cv::Mat square = rgb(cv::Rect((rgb.cols - side) / 2, (rgb.rows - side) / 2, side, side));
      cv::resize(square, cell, cv::Size(kSheetCell, kSheetCell), 0, 0,
                 side > kSheetCell ? cv::INTER_AREA : cv::INTER_NEAREST);
      cells.push_back(cell);
    }
  };
  if (random_access) {
    PyramidReader reader(input);
    int level = reader.info().resolution;  // the smallest level at least a cell wide, else the largest
    for (int r : reader.info().resolutions)
      if (r >= kSheetCell) level = r;
    add(reader.read_indices(level, records));
    return cells;
  }
  // Other formats: the shown records imported (as gan-data import would) into a temporary
  // pyramid beside the sheet, removed afterwards.
  const fs::path temp = sheet.parent_path() / fmt::format(".{}.images.tmp-{}.h5", sheet.filename().string(), getpid());
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } remove{temp};
  ImportOptions io;
  io.source.format = input_options.format;
  io.source.split = input_options.split;
  io.source.recursive = input_options.recursive;
  io.resolution = kSheetCell;
  io.center_crop = true;
  io.skip_bad = true;
  io.compression = Compression::parse("none");
  io.progress = progress;
  io.progress.quiet = true;
  io.select.assign(static_cast<size_t>(records.back() + 1), 0);
  for (int64_t p : records) io.select[static_cast<size_t>(p)] = 1;
  import_dataset(input, temp, io);
  PyramidReader reader(temp);
  GANKIT_CHECK_DATA(reader.count() == static_cast<int64_t>(records.size()),
                    "{}: {} of the {} images to show could be read again (did it change while it was read?)",
                    input.string(), reader.count(), records.size());
  add(reader.read(kSheetCell, 0, reader.count()));
  return cells;
}

}  // namespace

void write_contact_sheet(const fs::path& input, const DatasetInputOptions& input_options, bool random_access,
                         const DuplicateGroups& groups, const std::vector<double>& spreads,
                         const std::vector<size_t>& rows, const std::vector<int64_t>& positions, const fs::path& sheet,
                         const ProgressOptions& progress) {
  std::vector<int64_t> records;
  for (size_t k : rows) {
    const auto& members = groups.groups[k];
    for (size_t m = 0; m < std::min<size_t>(members.size(), kSheetMembers); ++m)
      records.push_back(positions[static_cast<size_t>(members[m])]);
  }
  std::sort(records.begin(), records.end());
  records.erase(std::unique(records.begin(), records.end()), records.end());
  const std::vector<cv::Mat> cells = records.empty()
                                         ? std::vector<cv::Mat>{}
                                         : read_cells(input, input_options, random_access, records, sheet, progress);

  constexpr int kLabel = 150, kPad = 4;
  const int width = kLabel + kSheetMembers * (kSheetCell + kPad) + kPad;
  const int height = std::max<int>(1, static_cast<int>(rows.size())) * (kSheetCell + kPad) + kPad;
  cv::Mat out(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Scalar ink(0, 0, 0);
  if (rows.empty())
    cv::putText(out, "no duplicate groups", cv::Point(kPad, kPad + 20), cv::FONT_HERSHEY_SIMPLEX, 0.45, ink, 1,
                cv::LINE_AA);
  for (size_t row = 0; row < rows.size(); ++row) {
    const size_t k = rows[row];
    const auto& members = groups.groups[k];
    const int y = kPad + static_cast<int>(row) * (kSheetCell + kPad);
    const std::string lines[] = {fmt::format("group {}", k), fmt::format("{} images", members.size()),
                                 fmt::format("spread {:.1f}", spreads[k])};
    for (int l = 0; l < 3; ++l)
      cv::putText(out, lines[l], cv::Point(kPad, y + 16 + 18 * l), cv::FONT_HERSHEY_SIMPLEX, 0.45, ink, 1, cv::LINE_AA);
    for (size_t m = 0; m < std::min<size_t>(members.size(), kSheetMembers); ++m) {
      const int64_t record = positions[static_cast<size_t>(members[m])];
      const size_t at = static_cast<size_t>(std::lower_bound(records.begin(), records.end(), record) - records.begin());
      if (at >= cells.size()) continue;  // unreadable on the second reading
      const int x = kLabel + kPad + static_cast<int>(m) * (kSheetCell + kPad);
      cells[at].copyTo(out(cv::Rect(x, y, kSheetCell, kSheetCell)));
    }
  }
  write_image(sheet, out);
}

}  // namespace gankit
