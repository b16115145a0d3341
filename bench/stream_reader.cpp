// bench_stream_reader — the streamed training data's reader alone (level_stream.h), as gan-train
// uses it, and the synthetic pyramids it is measured on.
//   bench_stream_reader make OUT.h5 N R      N smooth-noise RGB images of R x R (photo-like for
//                                            gzip: an upscaled 8x8 random field plus pixel noise),
//                                            written as gan-data import writes (gzip 4, 1 chunk/image)
//   bench_stream_reader read FILE.h5 R CACHE_MB IMAGES [BATCH]
//                                            reads IMAGES images in minibatches of BATCH (64) from
//                                            the start of the stream; prints images/s, the layout
//                                            and the peak RSS
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "error.h"
#include "hdf5_store.h"
#include "level_stream.h"

namespace {

int make(const std::string& out, int64_t n, int r) {
  gankit::PyramidWriter w(out, r, 3, {});
  cv::RNG rng(1);
  cv::Mat small(8, 8, CV_8UC3), big, noise(r, r, CV_8UC3);
  std::vector<uint8_t> chw(static_cast<size_t>(3) * r * r);
  for (int64_t i = 0; i < n; ++i) {
    rng.fill(small, cv::RNG::UNIFORM, 0, 256);
    cv::resize(small, big, cv::Size(r, r), 0, 0, cv::INTER_CUBIC);
    rng.fill(noise, cv::RNG::NORMAL, 0, 3);
    big += noise;
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < r; ++y)
        for (int x = 0; x < r; ++x) chw[(static_cast<size_t>(c) * r + y) * r + x] = big.at<cv::Vec3b>(y, x)[c];
    w.append(chw.data());
  }
  w.commit();
  return 0;
}

int read(const std::string& file, int r, int64_t cache_mb, int64_t images, int batch) {
  gankit::PyramidReader probe(file, 0);
  const int64_t image_bytes = static_cast<int64_t>(probe.channels()) * r * r;
  const gankit::StreamLayout layout =
      gankit::stream_layout(probe.count(), image_bytes, probe.chunk_images(r), cache_mb << 20, 2 * batch);
  gankit::LevelStream stream(file, r, 1, layout);
  std::vector<uint8_t> buf(static_cast<size_t>(batch * image_bytes));
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t p = 0; p < images; p += batch) stream.read(p, batch, buf.data());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf(
      "%s %dx%d: %lld images (level %.2f GB, %lld MB cache: windows of %lld in runs of %lld) in %.2f s: "
      "%.0f images/s, peak RSS %.0f MiB\n",
      file.c_str(), r, r, static_cast<long long>(images), static_cast<double>(probe.count() * image_bytes) / 1e9,
      static_cast<long long>(cache_mb), static_cast<long long>(layout.window), static_cast<long long>(layout.run), s,
      static_cast<double>(images) / s, static_cast<double>(u.ru_maxrss) / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 4 && a[0] == "make") return make(a[1], std::stoll(a[2]), std::stoi(a[3]));
    if ((a.size() == 5 || a.size() == 6) && a[0] == "read")
      return read(a[1], std::stoi(a[2]), std::stoll(a[3]), std::stoll(a[4]), a.size() == 6 ? std::stoi(a[5]) : 64);
    std::fprintf(stderr, "usage: bench_stream_reader make OUT.h5 N R | read FILE.h5 R CACHE_MB IMAGES [BATCH]\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_stream_reader: %s\n", e.what());
    return 2;
  }
}
