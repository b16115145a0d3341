// PNG decoding speed: gankit's decode_image (lodepng over libdeflate for PNGs of up to 8 bits per
// sample, lib/png_decode.h) against OpenCV's imdecode (libpng) followed by the same BGR -> RGB
// conversion, on every PNG of a folder held in memory, one thread, three rounds each (the best is
// printed). Also checks that both give the same pixels. bench-swd-pairs.sh runs it on its photos.
// Usage: bench_png_decode FOLDER
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "image_io.h"

namespace {

cv::Mat opencv_rgb(const std::vector<uint8_t>& bytes) {
  cv::Mat raw = cv::imdecode(bytes, cv::IMREAD_UNCHANGED), out;
  cv::cvtColor(raw, out,
               raw.channels() == 1   ? cv::COLOR_GRAY2RGB
               : raw.channels() == 3 ? cv::COLOR_BGR2RGB
                                     : cv::COLOR_BGRA2RGB);
  return out;
}

// Best of three rounds, in ms per image.
template <class Decode>
double best_ms(const std::vector<std::vector<uint8_t>>& files, Decode&& decode) {
  double best = 1e300;
  for (int round = 0; round < 3; ++round) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& b : files) decode(b);
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best / static_cast<double>(files.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_png_decode FOLDER\n");
    return 2;
  }
  cv::setNumThreads(1);
  std::vector<std::vector<uint8_t>> files;
  for (const auto& path : gankit::list_images(argv[1], false))
    if (path.extension() == ".png") files.push_back(gankit::read_file_bytes(path));
  if (files.empty()) {
    std::fprintf(stderr, "bench_png_decode: no .png files in %s\n", argv[1]);
    return 2;
  }
  size_t differ = 0;
  for (const auto& b : files) differ += cv::norm(gankit::decode_image(b, "x.png"), opencv_rgb(b), cv::NORM_INF) != 0;
  const double ours = best_ms(files, [](const auto& b) { gankit::decode_image(b, "x.png"); });
  const double opencv = best_ms(files, [](const auto& b) { opencv_rgb(b); });
  std::printf(
      "%zu PNGs, one thread: decode_image %.3f ms/img, OpenCV imdecode + BGR->RGB %.3f ms/img (%.2fx); "
      "%zu decode differently\n",
      files.size(), ours, opencv, opencv / ours, differ);
  return differ == 0 ? 0 : 1;
}
