// gan-data end to end: the real binary on real and generated data, its exit codes, its one-line
// errors, --json output, and an import killed midway leaving no output file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "fixtures.h"
#include "hdf5_store.h"
#include "npy.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::flags;
using test::gan_data;
using test::run;
using test::TempDir;

TEST(GanDataCli, ImportsTheRealFashionMnistTestSet) {
  const std::string fm = test::fashion_mnist_dir();
  if (fm.empty()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  TempDir dir;
  auto r = run({gan_data(), "import", fm, dir / "fm.h5", flags("--split test --json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images"], 10000);
  EXPECT_EQ(j["resolution"], 32);
  EXPECT_EQ(j["channels"], 1);
  auto info = run({gan_data(), "info", dir / "fm.h5", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto ij = nlohmann::json::parse(info.out);
  EXPECT_EQ(ij["levels"], (std::vector<int>{32, 16, 8, 4, 2, 1}));
  EXPECT_EQ(ij["labels"]["counts"], std::vector<int>(10, 1000));  // the test set is balanced
  EXPECT_EQ(ij["labels"]["class_names"][9], "Ankle boot");
  EXPECT_EQ(ij["attributes"]["importer"], "idx");
  // Pixel sums of the official t10k file computed with numpy from the raw IDX bytes: the first
  // image (an ankle boot) and the whole set (zero padding adds nothing).
  PyramidReader rd(dir / "fm.h5");
  ImageBatch all = rd.read(32, 0, 10000);
  int64_t first = 0, total = 0;
  for (size_t i = 0; i < all.data.size(); ++i) (i < all.image_bytes() ? first : total) += all.data[i];
  EXPECT_EQ(rd.labels()[0], 9);
  EXPECT_EQ(first, 33456);
  EXPECT_EQ(first + total, 573469082);
}

TEST(GanDataCli, ExportThenReimportGivesTheSamePixels) {
  TempDir dir;
  test::write_cifar10(dir / "cifar", 2, 1);
  ASSERT_EQ(run({gan_data(), "import", dir / "cifar", dir / "a.h5", "-q"}).exit_code, 0);
  auto e = run({gan_data(), "export", dir / "a.h5", dir / "png", "--json"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(nlohmann::json::parse(e.out)["images"], 10);
  EXPECT_TRUE(fs::exists(dir / "png" / "00000009.png"));
  EXPECT_NE(test::read_bytes(dir / "png" / "labels.csv").find("00000003.png,3,cat\n"), std::string::npos);
  ASSERT_EQ(run({gan_data(), "import", dir / "png", dir / "b.h5", "-q"}).exit_code, 0);
  EXPECT_EQ(PyramidReader(dir / "a.h5").read(32, 0, 10).data, PyramidReader(dir / "b.h5").read(32, 0, 10).data);
  // Lower level export.
  ASSERT_EQ(run({gan_data(), "export", dir / "a.h5", dir / "p8", flags("--resolution 8 --limit 2")}).exit_code, 0);
  EXPECT_EQ(cv::imread((dir / "p8" / "00000001.png").string()).cols, 8);
  EXPECT_FALSE(fs::exists(dir / "p8" / "00000002.png"));
  // Existing output folder is refused.
  test::expect_cli_error(run({gan_data(), "export", dir / "a.h5", dir / "png"}), 2, "exists (pass --overwrite");
}

TEST(GanDataCli, BadInputsGiveOneLineAndTheRightExitCode) {
  TempDir dir;
  const std::string out = (dir / "o.h5").string();
  test::expect_cli_error(run({gan_data(), "import", dir / "missing", out}), 2, "missing does not exist");
  fs::create_directories(dir / "empty");
  test::expect_cli_error(run({gan_data(), "import", dir / "empty", out}), 2, "contains no images");
  fs::create_directories(dir / "imgs");
  cv::imwrite((dir / "imgs" / "a.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1)));
  cv::imwrite((dir / "imgs" / "b.png").string(), cv::Mat(16, 16, CV_8UC3, cv::Scalar(1)));
  test::expect_cli_error(run({gan_data(), "import", dir / "imgs", out}), 2, "mixed sizes");
  test::write_bytes(dir / "imgs" / "c.png", std::string(100, 'x'));
  test::expect_cli_error(run({gan_data(), "import", dir / "imgs", out, flags("--resolution 8")}), 2,
                         "c.png: corrupt, truncated or unsupported image data (pass --skip-bad");
  auto skipped = run({gan_data(), "import", dir / "imgs", out, flags("--resolution 8 --skip-bad --json")});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_EQ(nlohmann::json::parse(skipped.out)["skipped"], 1);
  EXPECT_NE(skipped.err.find("skipped: "), std::string::npos);
  fs::remove(out);
  test::expect_cli_error(run({gan_data(), "import", dir / "imgs", out, flags("--resolution 24")}), 1,
                         "--resolution 24 is not a power of two");
  test::expect_cli_error(run({gan_data(), "import", dir / "imgs", out, flags("--format bogus")}), 1,
                         "--format bogus: expected auto, folder, cifar10, svhn, idx, lsun or celeba");
  test::expect_cli_error(run({gan_data(), "import", dir / "imgs", dir / "no" / "o.h5"}), 2, "does not exist");
  // A folder the user cannot write. Root writes anywhere, so as root (CI) the command runs as
  // nobody (setpriv, util-linux), with the test folder opened to it.
  fs::create_directories(dir / "ro");
  fs::permissions(dir / "ro",
                  fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(dir.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  const test::Command as_user =
      getuid() == 0 ? test::Command{flags("setpriv --reuid=65534 --regid=65534 --clear-groups")} : test::Command{};
  test::expect_cli_error(run({as_user, gan_data(), "import", dir / "imgs", dir / "ro" / "o.h5"}), 2,
                         "folder " + (dir / "ro").string() + " is not writable");
  // Format-specific bad input through the CLI.
  test::write_idx(dir / "bad-images-idx3-ubyte", "", 2, 28, 28, false);
  std::string idx = test::read_bytes(dir / "bad-images-idx3-ubyte");
  idx[3] = 0x01;
  test::write_bytes(dir / "bad-images-idx3-ubyte", idx);
  test::expect_cli_error(run({gan_data(), "import", dir / "bad-images-idx3-ubyte", out}), 2, "wrong magic");
  test::write_cifar10(dir / "cifar", 1, 1);
  test::write_bytes(dir / "cifar" / "test_batch.bin", std::string(3000, '\0'));
  test::expect_cli_error(run({gan_data(), "import", dir / "cifar", out, flags("--split test")}), 2,
                         "truncated CIFAR-10 file");
  test::write_other_mat(dir / "w.mat");
  test::expect_cli_error(run({gan_data(), "import", dir / "w.mat", out}), 2, "not an SVHN cropped-digits file");
  // Usage errors.
  test::expect_cli_error(run({gan_data(), "import", dir / "imgs"}), 1, "the option '--out' is required");
  test::expect_cli_error(run({gan_data(), flags("import a b --bogus")}), 1, "unrecognised option '--bogus'");
  test::expect_cli_error(run({gan_data(), flags("import a b --format tiff")}), 2, "a does not exist");
  test::expect_cli_error(run({gan_data(), "frobnicate"}), 1, "unknown command 'frobnicate'");
  test::expect_cli_error(run({gan_data(), "info", dir / "imgs" / "a.png"}), 2, "is not an HDF5 file");
  EXPECT_FALSE(fs::exists(out));
}

// The pyramid is byte-identical, level by level, to the official h5tool method restated in numpy
// (bench/reference_import.py: chained float box filter, round half to even), on Fashion-MNIST's
// test set (IDX) and on a folder of noisy RGB PNGs (every rounding case). The comparison itself is
// checked to see a single changed pixel.
TEST(GanDataCli, ImportIsByteIdenticalToTheNumpyReference) {
  if (run({"/usr/bin/python3", "-c", "import h5py, numpy, PIL"}).exit_code != 0)
    GTEST_SKIP() << "python3-h5py/numpy/pil not installed (scripts/install-deps.sh installs them)";
  TempDir dir;
  test::write_noise_folder(dir / "png", 40, 64, 3);
  const std::string ref = std::string(GANKIT_SOURCE_DIR) + "/bench/reference_import.py";
  std::vector<std::pair<std::string, std::string>> cases = {{"folder", (dir / "png").string()}};
  const std::string fm = test::fashion_mnist_dir();
  if (!fm.empty()) cases.emplace_back("idx", fm + "/t10k-images-idx3-ubyte.gz");
  for (const auto& [kind, src] : cases) {
    const std::string ours = (dir / (kind + "-ours.h5")).string(), theirs = (dir / (kind + "-ref.h5")).string();
    const test::Command input = kind == "idx" ? test::Command{fm, flags("--split test")} : test::Command{src};
    ASSERT_EQ(run({gan_data(), "import", input, ours, "-q"}).exit_code, 0) << kind;
    ASSERT_EQ(run({"/usr/bin/python3", ref, kind, src, theirs}).exit_code, 0) << kind;
    const test::Command compare = {"/usr/bin/python3", "-c",
                                   "import sys, h5py, numpy as np\n"
                                   "a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')\n"
                                   "assert sorted(b) and all(np.array_equal(a[k][:], b[k][:]) for k in b)",
                                   ours, theirs};
    EXPECT_EQ(run(compare).exit_code, 0) << kind << ": levels differ from the reference";
    if (kind == "folder") {  // the comparison sees one pixel changed by one grey level
      ASSERT_EQ(run({"/usr/bin/python3", "-c",
                     "import sys, h5py\nf = h5py.File(sys.argv[1], 'r+')\nf['data8x8'][3, 1, 2, 2] ^= 1", ours})
                    .exit_code,
                0);
      EXPECT_NE(run(compare).exit_code, 0);
    }
  }
}

// --resize-filter bicubic | lanczos against bench/reference_resize.py, a numpy restatement of
// OpenCV's definitions (not OpenCV): photo crops enlarged 50 -> 64 and shrunk 96 -> 32. OpenCV
// sums uint8 images in fixed point, so a pixel may differ by one grey level (measured: at most
// 1, in about 5% of the enlarged pixels; shrinking matched exactly); the test allows 1 in 10%.
TEST(GanDataCli, ResizeFiltersMatchAnIndependentPortOfTheirDefinition) {
  TempDir dir;
  const cv::Mat photo = cv::imread("/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
  if (photo.empty()) GTEST_SKIP() << "python3-skimage (test photos) not installed";
  fs::create_directories(dir / "up");
  fs::create_directories(dir / "down");
  for (int i = 0; i < 6; ++i) {
    cv::imwrite((dir / "up" / fmt::format("{}.png", i)).string(), photo(cv::Rect(60 * i, 40 * i, 50, 50)));
    cv::imwrite((dir / "down" / fmt::format("{}.png", i)).string(), photo(cv::Rect(50 * i, 30 * i, 96, 96)));
  }
  const std::string ref = std::string(GANKIT_SOURCE_DIR) + "/bench/reference_resize.py";
  for (const auto& [set, size] : {std::pair<std::string, int>{"up", 64}, {"down", 32}})
    for (const auto& [filter, kind] :
         {std::pair<std::string, std::string>{"bicubic", "cubic"}, {"lanczos", "lanczos"}}) {
      SCOPED_TRACE(set + " " + filter);
      const fs::path ours = dir / (set + filter + ".h5"), theirs = dir / (set + filter + ".npy");
      ASSERT_EQ(
          run({gan_data(), "import", dir / set, ours, "--resolution", size, "--resize-filter", filter, "-q"}).exit_code,
          0);
      const auto r = run({"/usr/bin/python3", ref, dir / set, theirs, size, kind});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const ImageBatch a = PyramidReader(ours).read(size, 0, 6), b = load_npy(theirs);
      ASSERT_EQ(a.data.size(), b.data.size());
      int worst = 0;
      size_t differ = 0;
      for (size_t k = 0; k < a.data.size(); ++k) {
        const int d = std::abs(int(a.data[k]) - int(b.data[k]));
        worst = std::max(worst, d);
        differ += d != 0;
      }
      EXPECT_LE(worst, 1);
      EXPECT_LE(differ, a.data.size() / 10);
    }
}

TEST(GanDataCli, HelpAndVersion) {
  auto h = run({gan_data(), "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("import"), std::string::npos);
  auto ih = run({gan_data(), flags("import --help")});
  EXPECT_EQ(ih.exit_code, 0);
  EXPECT_NE(ih.out.find("--resize-filter"), std::string::npos);
  EXPECT_EQ(run({gan_data()}).exit_code, 1);
  EXPECT_NE(run({gan_data(), "--version"}).out.find("gan-data"), std::string::npos);
}

// Killed as soon as its temporary exists (polled, no fixed sleep): SIGTERM runs the handler, which
// removes the temporary and re-raises (status 143); SIGKILL cannot be handled (137) and leaves
// only OUT.tmp-PID, never the final name.
// Import streams: an IDX file of 245.8 MB (60000 gray 64x64 images) is imported block by block,
// and the process's peak memory stays below the input's size (holding the input, or the output
// level, would exceed it).
TEST(GanDataCli, ImportStreamsAnInputLargerThanItsMemory) {
  TempDir dir;
  constexpr int64_t kImages = 60000, kBytes = kImages * 64 * 64;
  {  // written image by image: this process must stay small (its children start as copies of it, and
     // their peak memory counts that copy)
    std::ofstream images(dir / "train-images-idx3-ubyte", std::ios::binary);
    std::ofstream labels(dir / "train-labels-idx1-ubyte", std::ios::binary);
    auto be32 = [](std::ofstream& o, uint32_t v) {
      const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
      o.write(b, 4);
    };
    for (uint32_t v : {2051u, uint32_t(kImages), 64u, 64u}) be32(images, v);
    for (uint32_t v : {2049u, uint32_t(kImages)}) be32(labels, v);
    std::string img(64 * 64, '\0');
    for (int64_t i = 0; i < kImages; ++i) {
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) img[static_cast<size_t>(y * 64 + x)] = char(test::pixel(int(i), 0, y, x));
      images.write(img.data(), static_cast<std::streamsize>(img.size()));
      labels.put(char(i % 10));
    }
  }
  const auto r = run({gan_data(), "import", dir.path(), dir / "big.h5", flags("--compression none -q")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);  // the largest finished child: gan-data
  // 142 MB measured, whatever the count (20000 images: the same); holding the input or the level
  // alone would take 246 MB.
  EXPECT_LT(usage.ru_maxrss * 1024, kBytes * 3 / 4) << "peak RSS " << usage.ru_maxrss << " KiB";
  EXPECT_EQ(PyramidReader(dir / "big.h5").count(), kImages);
}

TEST(GanDataCli, ImportKilledMidwayLeavesNoOutputFile) {
  const std::string fm = test::fashion_mnist_dir();
  if (fm.empty()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  for (const auto& [sig, status] : {std::pair<int, int>{SIGTERM, 143}, {SIGKILL, 137}}) {
    TempDir dir;
    const std::string out = (dir / "fm.h5").string();
    test::Process job({gan_data(), "import", fm, out, flags("--compression gzip:9 -q")});
    test::wait_until([&] { return fs::exists(fmt::format("{}.tmp-{}", out, job.pid())); }, 30, 0.05);
    job.signal(sig);
    const auto r = job.wait();
    EXPECT_EQ(r.exit_code, status) << sig << ": " << r.err;
    EXPECT_FALSE(fs::exists(out)) << sig;
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir.path())) left.push_back(e.path().filename().string());
    if (sig == SIGTERM) {
      EXPECT_TRUE(left.empty()) << left.front();  // the handler removed the temporary
    } else {
      ASSERT_EQ(left.size(), 1u);
      EXPECT_EQ(left[0].rfind("fm.h5.tmp-", 0), 0u) << left[0];
    }
  }
}

}  // namespace
}  // namespace gankit
