#include "fixtures.h"

#include <fmt/format.h>
#include <lmdb.h>
#include <matio.h>
#include <zip.h>
#include <zlib.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "hdf5_store.h"
#include "image_io.h"
#include "test_util.h"

namespace gankit::test {
namespace fs = std::filesystem;

namespace {
cv::Mat bgr_image(int i, int w, int h) {
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(pixel(i, 2, y, x), pixel(i, 1, y, x), pixel(i, 0, y, x));
  return img;
}
}  // namespace

void write_cifar10(const fs::path& dir, int per_batch, int test) {
  fs::create_directories(dir);
  int i = 0;
  auto write = [&](const fs::path& p, int count) {
    std::string bytes;
    for (int k = 0; k < count; ++k, ++i) {
      bytes.push_back(static_cast<char>(i % 10));
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 32; ++y)
          for (int x = 0; x < 32; ++x) bytes.push_back(static_cast<char>(pixel(i, c, y, x)));
    }
    write_bytes(p, bytes);
  };
  for (int b = 1; b <= 5; ++b) write(dir / ("data_batch_" + std::to_string(b) + ".bin"), per_batch);
  write(dir / "test_batch.bin", test);
  write_bytes(dir / "batches.meta.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
}

void write_svhn(const fs::path& path, int n) {
  std::vector<uint8_t> x(static_cast<size_t>(32 * 32 * 3) * n);
  std::vector<double> y(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    y[i] = i % 10 + 1;
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 32; ++h)
        for (int w = 0; w < 32; ++w) x[h + 32 * w + 1024 * c + 3072 * static_cast<size_t>(i)] = pixel(i, c, h, w);
  }
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  if (!mat) throw std::runtime_error("cannot create mat");
  size_t xdims[4] = {32, 32, 3, static_cast<size_t>(n)};
  matvar_t* xv = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, xdims, x.data(), 0);
  Mat_VarWrite(mat, xv, MAT_COMPRESSION_ZLIB);
  Mat_VarFree(xv);
  size_t ydims[2] = {static_cast<size_t>(n), 1};
  matvar_t* yv = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, ydims, y.data(), 0);
  Mat_VarWrite(mat, yv, MAT_COMPRESSION_NONE);
  Mat_VarFree(yv);
  Mat_Close(mat);
}

void write_other_mat(const fs::path& path) {
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  double v[3] = {1, 2, 3};
  size_t dims[2] = {3, 1};
  matvar_t* var = Mat_VarCreate("weights", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims, v, 0);
  Mat_VarWrite(mat, var, MAT_COMPRESSION_NONE);
  Mat_VarFree(var);
  Mat_Close(mat);
}

void write_idx(const fs::path& images, const fs::path& labels, int n, int rows, int cols, bool gz) {
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  std::string img = be32(0x803) + be32(n) + be32(rows) + be32(cols);
  std::string lab = be32(0x801) + be32(n);
  for (int i = 0; i < n; ++i) {
    lab.push_back(static_cast<char>(i % 10));
    for (int y = 0; y < rows; ++y)
      for (int x = 0; x < cols; ++x) img.push_back(static_cast<char>(pixel(i, 0, y, x)));
  }
  auto put = [&](const fs::path& p, const std::string& bytes) {
    if (!gz) return write_bytes(p, bytes);
    gzFile f = gzopen(p.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  };
  put(images, img);
  if (!labels.empty()) put(labels, lab);
}

std::vector<uint8_t> lsun_encoded(int i, int width, int height) {
  std::vector<uint8_t> bytes;
  if (i % 2 == 0)
    cv::imencode(".webp", bgr_image(i, width, height), bytes, {cv::IMWRITE_WEBP_QUALITY, 101});  // > 100: lossless
  else
    cv::imencode(".jpg", bgr_image(i, width, height), bytes, {cv::IMWRITE_JPEG_QUALITY, 98});
  return bytes;
}

cv::Mat lsun_decoded_rgb(int i, int width, int height) {
  cv::Mat bgr = cv::imdecode(lsun_encoded(i, width, height), cv::IMREAD_COLOR), rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

void write_lsun(const fs::path& dir, int n, int width, int height) {
  fs::create_directories(dir);
  MDB_env* env;
  mdb_env_create(&env);
  mdb_env_set_mapsize(env, 64u << 20);
  if (mdb_env_open(env, dir.c_str(), 0, 0644) != 0) throw std::runtime_error("lmdb open");
  MDB_txn* txn;
  mdb_txn_begin(env, nullptr, 0, &txn);
  MDB_dbi dbi;
  mdb_dbi_open(txn, nullptr, 0, &dbi);
  for (int i = 0; i < n; ++i) {
    std::vector<uint8_t> bytes = lsun_encoded(i, width, height);
    std::string key = "img" + std::to_string(1000 + i);
    MDB_val k{key.size(), key.data()}, v{bytes.size(), bytes.data()};
    mdb_put(txn, dbi, &k, &v, 0);
  }
  mdb_txn_commit(txn);
  mdb_env_close(env);
}

void write_celeba(const fs::path& dir, int n) {
  fs::create_directories(dir / "img_align_celeba");
  std::string part;
  for (int i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "%06d.png", i + 1);
    cv::imwrite((dir / "img_align_celeba" / name).string(), bgr_image(i, 178, 218));
    part += std::string(name) + " " + std::to_string(i % 3) + "\n";
  }
  write_bytes(dir / "list_eval_partition.txt", part);
}

}  // namespace gankit::test

namespace gankit::test {
void write_pyramid(const std::filesystem::path& path, int n, int c, int r) {
  PyramidWriterOptions o;
  o.compression.gzip_level = 0;
  PyramidWriter w(path, r, c, o);
  std::vector<uint8_t> img(static_cast<size_t>(c) * r * r);
  for (int i = 0; i < n; ++i) {
    for (int ch = 0; ch < c; ++ch)
      for (int y = 0; y < r; ++y)
        for (int x = 0; x < r; ++x) img[(static_cast<size_t>(ch) * r + y) * r + x] = pixel(i, ch, y, x);
    w.append(img.data());
  }
  w.commit();
}
void write_noise_folder(const fs::path& dir, int n, int side, uint64_t seed) {
  fs::create_directories(dir);
  cv::RNG rng(seed);
  for (int i = 0; i < n; ++i) {
    cv::Mat m(side, side, CV_8UC3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    write_image(dir / fmt::format("{:04}.png", i), m);
  }
}

void write_npz(const std::filesystem::path& path, const std::vector<std::pair<std::string, std::string>>& members,
               bool deflate) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  for (const auto& [name, bytes] : members) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    const zip_int64_t idx = zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
    zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}

}  // namespace gankit::test
