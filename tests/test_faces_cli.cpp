// gan-data faces end to end on real photos: scikit-image's astronaut (one face, found on the
// face), its faces vs non-faces set (lfw_subset), composed photos for the per-photo limit and
// the border rule, and one clear line for every bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "hdf5_store.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::expect_cli_error;
using test::flags;
using test::run;
using test::TempDir;

const fs::path kSkimageData = "/usr/lib/python3/dist-packages/skimage/data";

test::Command faces(std::initializer_list<test::Args> args) {
  return test::Command{test::gan_data(), "faces"}.add(args);
}

std::vector<nlohmann::json> read_manifest(const fs::path& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

class FacesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kSkimageData / "astronaut.png")) GTEST_SKIP() << "python3-skimage (test photos) not installed";
    astronaut_ = cv::imread((kSkimageData / "astronaut.png").string());  // BGR 512x512
    fs::create_directories(dir_ / "one");
    cv::imwrite((dir_ / "one" / "astronaut.png").string(), astronaut_);
  }
  TempDir dir_;
  cv::Mat astronaut_;
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
};

TEST_F(FacesCli, FindsTheAstronautsFace) {
  const auto r = run(faces({path("one"), path("f.h5"), flags("--json -q")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["photos"], 1);
  EXPECT_EQ(j["kept"], 1);
  const auto m = read_manifest(path("f.manifest.jsonl"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(m[0]["kept"]);
  // Eileen Collins' face spans about x 175..270, y 65..165 of the 512x512 photo.
  const int x = m[0]["box"][0], y = m[0]["box"][1], w = m[0]["box"][2];
  EXPECT_GT(x + w / 2, 200);
  EXPECT_LT(x + w / 2, 250);
  EXPECT_GT(y + w / 2, 90);
  EXPECT_LT(y + w / 2, 140);
  EXPECT_GT(w, 70);
  EXPECT_LT(w, 120);
  // The crop: box plus 25% per side, inside the photo, as one 128x128 RGB image in the pyramid.
  EXPECT_EQ(m[0]["crop"][2], static_cast<int>(std::lround(w * 1.5)));
  PyramidReader rd(path("f.h5"));
  EXPECT_EQ(rd.count(), 1);
  EXPECT_EQ(rd.info().resolution, 128);
  EXPECT_EQ(rd.channels(), 3);
  EXPECT_EQ(rd.info().attributes.at("importer"), "gan-data faces");
  // --out-dir writes the same crop as a PNG; --min-face above the face rejects it as too small.
  ASSERT_EQ(run(faces({path("one"), "--out-dir", path("png"), "-q"})).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "png" / "00000000.png"));
  EXPECT_TRUE(fs::exists(path("png.manifest.jsonl")));
  const auto big = run(faces({path("one"), path("g.h5"), flags("--min-face 160")}));
  expect_cli_error(big, 2, "no face kept");
  EXPECT_NE(big.err.find("1 too small"), std::string::npos) << big.err;
  EXPECT_FALSE(fs::exists(path("g.h5")));
}

TEST_F(FacesCli, PerPhotoLimitBorderRuleAndUnreadablePhotos) {
  fs::create_directories(dir_ / "many");
  cv::Mat two;
  cv::hconcat(astronaut_, astronaut_, two);  // two faces in one photo
  cv::imwrite((dir_ / "many" / "a_two.png").string(), two);
  test::write_bytes(dir_ / "many" / "b_broken.jpg", "not a jpeg at all");
  cv::imwrite((dir_ / "many" / "c_corner.png").string(), astronaut_(cv::Rect(150, 40, 200, 200)));  // face near edges
  const auto r = run(faces({path("many"), path("m.h5"), flags("--max-faces-per-image 1 --json")}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["photos"], 2);
  EXPECT_EQ(j["unreadable"], 1);
  EXPECT_NE(r.err.find("b_broken.jpg"), std::string::npos) << r.err;  // named on stderr
  EXPECT_EQ(j["over_limit"], 1);
  EXPECT_EQ(j["at_border"], 1);
  EXPECT_EQ(j["kept"], 1);
  int unreadable = 0, border = 0;
  for (const auto& line : read_manifest(path("m.manifest.jsonl"))) {
    if (line.value("reason", "") == "unreadable") ++unreadable;
    if (line.value("reason", "") == "too close to the border") ++border;
  }
  EXPECT_EQ(unreadable, 1);
  EXPECT_EQ(border, 1);
}

// scikit-image's lfw_subset.npy: 100 face and 100 non-face 25x25 gray crops (float64), here
// upscaled to 100x100 PNGs. Measured with the defaults: 82 faces found, no false positive; 84 found
// with --min-neighbors 3.
TEST_F(FacesCli, FacesVersusNonFacesOfLfw) {
  std::ifstream in(kSkimageData / "lfw_subset.npy", std::ios::binary);
  ASSERT_TRUE(in.good());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t header = 10 + (static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8);
  ASSERT_EQ(bytes.size() - header, 200u * 25 * 25 * 8);
  const double* px = reinterpret_cast<const double*>(bytes.data() + header);
  for (int i = 0; i < 200; ++i) {
    const fs::path d = dir_ / (i < 100 ? "lfw-faces" : "lfw-nonfaces");
    fs::create_directories(d);
    cv::Mat small(25, 25, CV_8UC1), big;
    for (int k = 0; k < 625; ++k) small.data[k] = cv::saturate_cast<uint8_t>(px[i * 625 + k] * 255.0);
    cv::resize(small, big, cv::Size(100, 100), 0, 0, cv::INTER_CUBIC);
    cv::imwrite((d / fmt::format("{:03}.png", i)).string(), big);
  }
  const auto f = run(faces({path("lfw-faces"), path("lfw.h5"), flags("--min-face 16 --margin 0 --json -q")}));
  ASSERT_EQ(f.exit_code, 0) << f.err;
  const auto j = nlohmann::json::parse(f.out);
  // The numbers docs/data.md quotes (Debian's OpenCV 4.6 and its Haar cascade): 82 of 100 with
  // the defaults, 84 with --min-neighbors 3 (fewer overlapping detections needed: more found).
  EXPECT_EQ(100 - j["without_face"].get<int>(), 82) << "detection rate";
  const auto loose =
      run(faces({path("lfw-faces"), path("lfw3.h5"), flags("--min-face 16 --margin 0 --min-neighbors 3 --json -q")}));
  ASSERT_EQ(loose.exit_code, 0) << loose.err;
  EXPECT_EQ(100 - nlohmann::json::parse(loose.out)["without_face"].get<int>(), 84) << "--min-neighbors 3";
  // A coarser scale pyramid (--scale-factor 1.3 against 1.1) tries fewer sizes: another count.
  const auto coarse =
      run(faces({path("lfw-faces"), path("lfw13.h5"), flags("--min-face 16 --margin 0 --scale-factor 1.3 --json -q")}));
  ASSERT_EQ(coarse.exit_code, 0) << coarse.err;
  EXPECT_NE(100 - nlohmann::json::parse(coarse.out)["without_face"].get<int>(), 82) << "--scale-factor 1.3";
  const auto n = run(faces({path("lfw-nonfaces"), path("non.h5"), flags("--min-face 16 --margin 0")}));
  expect_cli_error(n, 2, "0 detections");  // no false positive among the 100 non-faces
}

TEST_F(FacesCli, BadInputsGiveOneClearLine) {
  const std::string in = path("one");
  test::write_bytes(dir_ / "bogus.onnx", "not a model");
  const struct {
    test::Command args;
    int code;
    const char* message;
  } cases[] = {
      {{in, path("x.h5"), flags("--min-face 4")}, 1, "--min-face 4"},
      {{in, path("x.h5"), flags("--size 100")}, 1, "--size 100"},
      {{in, path("x.h5"), flags("--margin -1")}, 1, "--margin -1"},
      {{in, path("x.npy")}, 1, "must end in .h5"},
      {{in, path("x.h5"), "--out-dir", path("d")}, 1, "either OUT.h5 or --out-dir"},
      {{in, path("x.h5"), flags("--cascade nosuchface")}, 2, "cannot find the face cascade"},
      {{in, path("x.h5"), "--model", path("bogus.onnx")}, 2, "cannot load face model"},
      {{in, path("x.h5"), "--model", path("none.onnx")}, 2, "does not exist"},
      {{path("nothing"), path("x.h5")}, 2, "nothing"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    expect_cli_error(run(faces({c.args})), c.code, c.message);
  }
  EXPECT_FALSE(fs::exists(path("x.h5")));
  ASSERT_EQ(run(faces({in, path("x.h5"), "-q"})).exit_code, 0);
  expect_cli_error(run(faces({in, path("x.h5")})), 2, "exists");
}

// --model and --score-threshold with a face model whose answer is known: the stand-in of
// tests/make_face_model_stub.py scores two 128 px faces of any 320x320 photo 0.95 and 0.85.
TEST_F(FacesCli, ModelScoreThresholdKeepsTheFacesAboveIt) {
  if (run({"/usr/bin/python3", "-c", "import torch"}).exit_code != 0) GTEST_SKIP() << "python3-torch not installed";
  const auto made =
      run({"/usr/bin/python3", fmt::format("{}/tests/make_face_model_stub.py", GANKIT_SOURCE_DIR), path("yunet.onnx")});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  fs::create_directories(dir_ / "photo");
  cv::Mat noise(320, 320, CV_8UC3);
  cv::randu(noise, 0, 255);
  cv::imwrite(path("photo/p.png"), noise);
  auto detect = [&](const std::string& name, const std::string& extra) {
    const auto r = run(faces({path("photo"), path(name + ".h5"), "--model", path("yunet.onnx"),
                              flags("--margin 0.1 --json -q"), flags(extra)}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::make_pair(nlohmann::json::parse(r.out), read_manifest(path(name + ".manifest.jsonl")));
  };
  const auto [strict, strict_faces] = detect("default", "");  // 0.9
  EXPECT_EQ(strict["detections"], 1);
  EXPECT_EQ(strict["detector"], "dnn yunet.onnx (score threshold 0.9)");
  ASSERT_EQ(strict_faces.size(), 1u);
  EXPECT_EQ(strict_faces[0]["box"], nlohmann::json({32, 96, 128, 128}));
  EXPECT_NEAR(strict_faces[0]["score"].get<double>(), 0.95, 1e-6);
  const auto [loose, loose_faces] = detect("loose", "--score-threshold 0.8");
  EXPECT_EQ(loose["kept"], 2);
  ASSERT_EQ(loose_faces.size(), 2u);
  EXPECT_EQ(loose_faces[1]["box"], nlohmann::json({160, 96, 128, 128}));
  EXPECT_NEAR(loose_faces[1]["score"].get<double>(), 0.85, 1e-6);
  // Above both scores nothing is found, and the error names the setting to loosen.
  expect_cli_error(
      run(faces({path("photo"), path("none.h5"), "--model", path("yunet.onnx"), flags("--score-threshold 0.96")})), 2,
      "1 photos, 0 detections: 0 too small, 0 at the border; see --min-face, --margin, --score-threshold");
}

}  // namespace
}  // namespace gankit
