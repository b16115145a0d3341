// Hostile inputs and faults, end to end: every case builds its bad input here (crafted .npy/.npz
// headers, a PNG bomb, symlink loops, a full disk simulated with a file size limit, folders and
// pipes as outputs, outputs that are inputs, held run locks) and asserts what a user sees: the
// exit code, one line on stderr, no partial output, inputs untouched, and bounded memory where
// that is the point (the command runs under an address-space limit).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <matio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "feature_store.h"
#include "fixtures.h"
#include "folder_lock.h"
#include "hdf5_store.h"
#include "image_io.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::expect_cli_error;
using test::flags;
using test::gan_data;
using test::gan_eval;
using test::gan_train;
using test::run;
using test::TempDir;

// `command` under a file size limit of `kib` KiB: writing past it fails with EFBIG, the way a
// full disk fails with ENOSPC, without needing a small filesystem.
test::RunResult run_with_file_limit(const test::Command& command, int kib) {
  return run(command, {.file_size_limit_bytes = kib * int64_t{1024}});
}
// `command` with at most ~1 GB of address space: a case that allocates what a header claims dies.
test::RunResult run_with_memory_limit(const test::Command& command) {
  return run(command, {.address_space_limit_bytes = int64_t{1000000} * 1024});
}

// A process id that no longer exists (a child that has exited and been reaped).
pid_t dead_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

// An .npy file with the given shape text and `payload` bytes of data.
std::string npy_bytes(const std::string& shape, size_t payload) {
  std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + std::string(payload, '\x7f');
}

void put_le(std::string& s, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::string le(uint64_t v, int bytes) {
  std::string s(bytes, '\0');
  put_le(s, 0, v, bytes);
  return s;
}

// A zip archive of one member stored uncompressed (method 0) whose headers claim `claimed`
// uncompressed bytes (the true size when 0).
std::string zip_one(const std::string& name, const std::string& data, uint64_t claimed = 0) {
  const uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  const uint64_t usize = claimed ? claimed : data.size();
  std::string local = "PK\x03\x04" + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) + le(data.size(), 4) +
                      le(usize, 4) + le(name.size(), 2) + le(0, 2) + name;
  std::string central = "PK\x01\x02" + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) +
                        le(data.size(), 4) + le(usize, 4) + le(name.size(), 2) + le(0, 2) + le(0, 2) + le(0, 2) +
                        le(0, 2) + le(0, 4) + le(0, 4) + name;
  const size_t central_at = local.size() + data.size();
  std::string end =
      "PK\x05\x06" + le(0, 2) + le(0, 2) + le(1, 2) + le(1, 2) + le(central.size(), 4) + le(central_at, 4) + le(0, 2);
  return local + data + central + end;
}

// A valid PNG of width x height 1-bit grey pixels, all zero: a few hundred KB that decode to
// width*height bytes.
std::string png_bomb(uint32_t width, uint32_t height) {
  auto chunk = [](const std::string& type, const std::string& body) {
    std::string be_len(4, '\0'), be_crc(4, '\0');
    for (int i = 0; i < 4; ++i) be_len[i] = static_cast<char>((body.size() >> (24 - 8 * i)) & 0xff);
    const std::string typed = type + body;
    const uLong c = crc32(0, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size()));
    for (int i = 0; i < 4; ++i) be_crc[i] = static_cast<char>((c >> (24 - 8 * i)) & 0xff);
    return be_len + typed + be_crc;
  };
  auto be32 = [](uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
    return s;
  };
  const std::string ihdr = be32(width) + be32(height) + std::string("\x01\x00\x00\x00\x00", 5);
  const std::vector<Bytef> raw(static_cast<size_t>(height) * (1 + (width + 7) / 8), 0);  // filter 0 + zero bits
  uLongf packed_size = compressBound(raw.size());
  std::string packed(packed_size, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, raw.data(), raw.size(), 9), Z_OK);
  packed.resize(packed_size);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", packed) + chunk("IEND", "");
}

// Replaces the level data<r>x<r> of an HDF5 pyramid with a float32 dataset of the same shape.
void make_level_float32(const fs::path& path, int n, int c, int r) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const std::string name = fmt::format("data{}x{}", r, r);
  ASSERT_GE(H5Ldelete(f, name.c_str(), H5P_DEFAULT), 0);
  const hsize_t dims[4] = {hsize_t(n), hsize_t(c), hsize_t(r), hsize_t(r)};
  const hid_t space = H5Screate_simple(4, dims, nullptr);
  const hid_t ds = H5Dcreate2(f, name.c_str(), H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(ds, 0);
  std::vector<float> values(size_t(n) * c * r * r, 0.5f);
  ASSERT_GE(H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  H5Dclose(ds);
  H5Sclose(space);
  H5Fclose(f);
}

// Sets label `index` of an HDF5 pyramid with labels to `value`.
void set_label(const fs::path& path, int64_t index, int64_t value) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t ds = H5Dopen2(f, "labels", H5P_DEFAULT);
  ASSERT_GE(ds, 0);
  const hid_t space = H5Dget_space(ds);
  const hsize_t start = hsize_t(index), count = 1;
  H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
  const hid_t mem = H5Screate_simple(1, &count, nullptr);
  ASSERT_GE(H5Dwrite(ds, H5T_NATIVE_INT64, mem, space, H5P_DEFAULT, &value), 0);
  H5Sclose(mem);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
}

// A labelled pyramid of n gray 16x16 images, labels i % 10.
void write_labelled(const fs::path& path, int n) {
  PyramidWriterOptions o;
  o.with_labels = true;
  PyramidWriter w(path, 16, 1, o);
  std::vector<uint8_t> img(16 * 16);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 256; ++k) img[k] = test::pixel(i, 0, k / 16, k % 16);
    w.append(img.data(), i % 10);
  }
  w.commit();
}

// The tiny single-threaded network of the training tests, on 40 gray 32x32 images.
struct TrainFixture {
  TempDir dir;
  TrainFixture() { test::write_pyramid(dir / "d.h5", 40, 1, 32); }
  test::Command train(const fs::path& data, const std::string& run_dir, std::string_view extra) const {
    return {gan_train(), "--data",      data,
            "--out",     dir / run_dir, flags("--ngf 8 --ndf 8 --z-dim 16 --batch 8 --threads 1 -q"),
            flags(extra)};
  }
  test::Command resume(const std::string& run_dir, std::string_view extra) const {
    return {gan_train(), "--out", dir / run_dir, flags("--resume --threads 1 -q"), flags(extra)};
  }
};

// ---- A full disk: one line naming the output and the cause, exit 2, nothing left behind.

TEST(Hostile, DiskFullInImportFeaturesAndDedupNamesTheCause) {
  TempDir t;
  test::write_noise_folder(t / "imgs", 60, 64);  // ~740 KB of pixels
  auto r = run_with_file_limit({gan_data(), "import", t / "imgs", t / "out.h5", flags("-q --compression none")}, 100);
  expect_cli_error(r, 2, "cannot write " + (t / "out.h5").string() + ": file size limit reached (EFBIG)");
  r = run_with_file_limit({gan_data(), flags("dedup hash"), t / "imgs", t / "groups.json",
                           flags("--method exact --apply"), t / "dedup.h5", flags("-q --compression none")},
                          100);
  expect_cli_error(r, 2, "dedup.h5: file size limit reached (EFBIG)");
  EXPECT_FALSE(fs::exists(t / "dedup.h5"));
  test::write_pyramid(t / "d.h5", 60, 3, 32);  // raw-pixel features: 60 x 3072 floats = 720 KB
  r = run_with_file_limit({gan_eval(), "features", t / "d.h5", t / "f.h5", flags("--raw-pixels -q")}, 100);
  expect_cli_error(r, 2, "cannot write " + (t / "f.h5").string() + ": file size limit reached (EFBIG)");
  EXPECT_FALSE(fs::exists(t / "out.h5"));
  EXPECT_FALSE(fs::exists(t / "f.h5"));
  EXPECT_EQ(test::leftover_temporaries(t.path()), std::vector<std::string>{});
}

TEST(Hostile, DiskFullWhileTrainingOrSamplingIsADataError) {
  TrainFixture f;
  // The first checkpoint does not fit: exit 2 naming it, and the failed start leaves no run.
  auto r = run_with_file_limit(f.train(f.dir / "d.h5", "run", "--steps 2"), 8);
  expect_cli_error(r, 2, "file size limit reached (EFBIG)");
  EXPECT_FALSE(fs::exists(f.dir / "run"));
  ASSERT_EQ(run(f.train(f.dir / "d.h5", "run", "--steps 1")).exit_code, 0);
  r = run_with_file_limit(
      {gan_train(), "sample", f.dir / "run", flags("--num 2000 --out"), f.dir / "s.h5", flags("--threads 1 -q")}, 20);
  expect_cli_error(r, 2, "cannot write " + (f.dir / "s.h5").string() + ": file size limit reached (EFBIG)");
  EXPECT_FALSE(fs::exists(f.dir / "s.h5"));
  EXPECT_EQ(test::leftover_temporaries(f.dir.path()), std::vector<std::string>{});
}

// ---- Sizes from headers are checked before anything is allocated.

TEST(Hostile, NpyAndNpzShapesThatOverflowAreRefused) {
  TempDir t;
  const std::string huge = npy_bytes("(16, 144115188075855904, 32, 4)", 4096);  // 16*(2^57+32)*32*4 wraps
  test::write_bytes(t / "huge.npy", huge);
  test::write_bytes(t / "huge.npz", zip_one("x.npy", huge));
  test::write_bytes(t / "near62.npy", npy_bytes("(1, 4611686018427387904, 1, 3)", 64));
  test::write_bytes(t / "negative.npy", npy_bytes("(-16, 32, 32, 3)", 64));
  for (const char* name : {"huge.npy", "huge.npz", "near62.npy"}) {
    for (const test::Command& cmd : {test::Command{gan_eval(), "swd", t / name, t / name, "-q"},
                                     test::Command{"timeout", "60", gan_eval(), "msssim", t / name, "-q"}}) {
      const auto r = run_with_memory_limit(cmd);
      expect_cli_error(r, 2, name);
      EXPECT_NE(r.err.find("shape"), std::string::npos) << r.err;
    }
  }
  const auto r = run({gan_eval(), "swd", t / "negative.npy", t / "negative.npy", "-q"});
  expect_cli_error(r, 2, "negative.npy");
  EXPECT_EQ(r.err.find("-16 images"), std::string::npos) << r.err;
}

TEST(Hostile, NpzMemberClaimingGigabytesFailsWithinAFewMegabytes) {
  TempDir t;
  const std::string npy = npy_bytes("(2, 16, 16, 3)", 2 * 16 * 16 * 3);
  test::write_bytes(t / "ok.npz", zip_one("x.npy", npy));
  ASSERT_EQ(run({gan_eval(), "msssim", t / "ok.npz", "-q"}).exit_code, 0);
  test::write_bytes(t / "liar.npz", zip_one("x.npy", npy, 3'000'000'000ull));
  const auto r = run_with_memory_limit({gan_eval(), "msssim", t / "liar.npz", "-q"});
  expect_cli_error(r, 2, "liar.npz");
}

TEST(Hostile, IdxHeaderClaimingMoreThanTheFileHoldsIsRefused) {
  TempDir t;
  test::write_idx(t / "train-images-idx3-ubyte", t / "train-labels-idx1-ubyte", 5, 28, 28, false);
  std::string images = test::read_bytes(t / "train-images-idx3-ubyte");
  std::string labels = test::read_bytes(t / "train-labels-idx1-ubyte");
  images[4] = labels[4] = '\xff';  // 5 -> 4278190085 images and labels
  test::write_bytes(t / "train-images-idx3-ubyte", images);
  test::write_bytes(t / "train-labels-idx1-ubyte", labels);
  const auto r = run_with_memory_limit({gan_data(), "import", t / "train-images-idx3-ubyte", t / "o.h5", "-q"});
  expect_cli_error(r, 2, "the header says 4278190085 images of 28x28");
  EXPECT_FALSE(fs::exists(t / "o.h5"));
}

// An uncompressed SVHN-style .mat of 4 images whose X and y headers are patched to claim 10^9.
TEST(Hostile, SvhnHeaderClaimingMoreThanTheFileHoldsIsRefused) {
  TempDir t;
  std::vector<uint8_t> x(4 * 3072, 9);
  std::vector<double> y = {1, 2, 3, 4};
  mat_t* mat = Mat_CreateVer((t / "s.mat").c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(mat, nullptr);
  size_t xdims[4] = {32, 32, 3, 4}, ydims[2] = {4, 1};
  matvar_t* xv = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, xdims, x.data(), 0);
  matvar_t* yv = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, ydims, y.data(), 0);
  Mat_VarWrite(mat, xv, MAT_COMPRESSION_NONE);
  Mat_VarWrite(mat, yv, MAT_COMPRESSION_NONE);
  Mat_VarFree(xv);
  Mat_VarFree(yv);
  Mat_Close(mat);
  ASSERT_EQ(run({gan_data(), "import", t / "s.mat", t / "ok.h5", "-q"}).exit_code, 0);
  // The dimension subelements: miINT32 (5), 16 bytes, 32 32 3 4; and miINT32, 8 bytes, 4 1.
  std::string bytes = test::read_bytes(t / "s.mat");
  const std::string xd = le(5, 4) + le(16, 4) + le(32, 4) + le(32, 4) + le(3, 4) + le(4, 4);
  const std::string yd = le(5, 4) + le(8, 4) + le(4, 4) + le(1, 4);
  const size_t xat = bytes.find(xd), yat = bytes.find(yd);
  ASSERT_NE(xat, std::string::npos);
  ASSERT_NE(yat, std::string::npos);
  put_le(bytes, xat + 20, 1'000'000'000, 4);
  put_le(bytes, yat + 8, 1'000'000'000, 4);
  test::write_bytes(t / "s.mat", bytes);
  const auto r = run_with_memory_limit({gan_data(), "import", t / "s.mat", t / "o.h5", "-q"});
  expect_cli_error(r, 2, "X claims 1000000000 images of 32x32x3");
  EXPECT_FALSE(fs::exists(t / "o.h5"));
}

// An HDF5 pyramid whose level claims 2^20 x 2^20 pixels (chunked, never written: a tiny file).
TEST(Hostile, HugeHdf5LevelIsRefused) {
  TempDir t;
  const hid_t f = H5Fcreate((t / "big.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hsize_t dims[4] = {4, 3, 1 << 20, 1 << 20}, chunk[4] = {1, 1, 64, 64};
  const hid_t space = H5Screate_simple(4, dims, nullptr);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 4, chunk);
  const hid_t ds = H5Dcreate2(f, "data1048576x1048576", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  ASSERT_GE(ds, 0);
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(f);
  EXPECT_LT(fs::file_size(t / "big.h5"), 1u << 20);
  for (const test::Command& cmd : {test::Command{gan_eval(), "swd", t / "big.h5", t / "big.h5", "-q"},
                                   test::Command{gan_data(), "info", t / "big.h5"}}) {
    const auto r = run_with_memory_limit(cmd);
    expect_cli_error(r, 2, "big.h5");
    EXPECT_NE(r.err.find("16384"), std::string::npos) << r.err;
  }
}

TEST(Hostile, ImportResolutionBeyondTheLimitIsAUsageError) {
  TempDir t;
  test::write_noise_folder(t / "imgs", 2, 16);
  const auto r = run({gan_data(), "import", t / "imgs", t / "o.h5", flags("-q --resolution 65536")});
  expect_cli_error(r, 1, "--resolution 65536 is not a power of two from 1 to 16384");
  EXPECT_EQ(test::leftover_temporaries(t.path()), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(t / "o.h5"));
}

TEST(Hostile, PngBombIsRefusedFromItsHeader) {
  TempDir t;
  fs::create_directories(t / "imgs");
  test::write_bytes(t / "imgs/bomb.png", png_bomb(20000, 20000));
  EXPECT_LT(fs::file_size(t / "imgs/bomb.png"), 1u << 20);
  auto r = run_with_memory_limit({gan_data(), "import", t / "imgs", t / "o.h5", flags("-q --resolution 64")});
  expect_cli_error(r, 2, "bomb.png: 20000x20000 is 400000000 pixels, over the limit of 178956970 (--max-pixels)");
  EXPECT_FALSE(fs::exists(t / "o.h5"));
  // The limit is the user's: a smaller image passes the default and fails a lower --max-pixels.
  test::write_noise_folder(t / "small", 1, 64);
  r = run({gan_data(), "import", t / "small", t / "s.h5", flags("-q --max-pixels 4000")});
  expect_cli_error(r, 2, "64x64 is 4096 pixels, over the limit of 4000 (--max-pixels)");
}

// ---- Labels and values outside what the formats allow are errors naming the row.

TEST(Hostile, LabelsOutsideTheClassesAreNamedNotAllocated) {
  TempDir t;
  write_labelled(t / "l.h5", 20);
  set_label(t / "l.h5", 7, 200'000'000);
  auto r = run_with_memory_limit({gan_data(), "info", t / "l.h5"});
  expect_cli_error(r, 2, "image 7 has label 200000000, outside [0, 1000000)");
  set_label(t / "l.h5", 7, -1);
  r = run({gan_data(), "info", t / "l.h5"});
  expect_cli_error(r, 2, "image 7 has label -1");
}

TEST(Hostile, SvmRefusesNegativeLabelsAndNonFiniteFeatures) {
  TempDir t;
  auto write = [&](const std::string& name, int64_t bad_label, float bad_value) {
    FeatureWriter w(t / name, 4, false);
    std::vector<int64_t> labels(50);
    std::vector<float> rows(50 * 4);
    for (int i = 0; i < 50; ++i) {
      labels[i] = i % 2;
      for (int k = 0; k < 4; ++k) rows[i * 4 + k] = float(i % 2) + 0.01f * k;
    }
    labels[13] = bad_label;
    rows[21 * 4 + 2] = bad_value;
    for (const char* split : {"train", "test"}) {
      w.add_split(split, 50, labels, "x");
      w.write_rows(split, 0, 50, rows.data());
    }
    w.commit();
  };
  write("ok.h5", 1, 0.5f);
  const test::Args protocol = flags("--protocol cifar10 --C 0.01 -q");
  ASSERT_EQ(run({gan_eval(), "svm", t / "ok.h5", protocol}).exit_code, 0);
  write("neg.h5", -1, 0.5f);
  expect_cli_error(run({gan_eval(), "svm", t / "neg.h5", protocol}), 2, "row 13 has label -1");
  write("nan.h5", 1, std::nanf(""));
  expect_cli_error(run({gan_eval(), "svm", t / "nan.h5", protocol}), 2, "row 21");
}

TEST(Hostile, FloatLevelsAreRefusedNotConverted) {
  TempDir t;
  test::write_pyramid(t / "d.h5", 20, 1, 32);
  make_level_float32(t / "d.h5", 20, 1, 32);
  expect_cli_error(run({gan_eval(), "swd", t / "d.h5", t / "d.h5", "-q"}), 2,
                   "dataset data32x32 holds float32, not uint8 pixels");
  expect_cli_error(run({gan_train(), "--data", t / "d.h5", "--out", t / "run", flags("--steps 1 --batch 8 -q")}), 2,
                   "holds float32, not uint8");
  EXPECT_FALSE(fs::exists(t / "run"));
}

// ---- Folders: symlink loops, dangling links, names that are not plain text, libpng's noise.

TEST(Hostile, SymlinkLoopsAndDanglingLinksInFolders) {
  TempDir t;
  test::write_noise_folder(t / "imgs", 1, 16);
  fs::create_directory_symlink("..", t / "imgs/loop");  // imgs/loop/imgs/loop/...
  auto r = run({gan_data(), "import", t / "imgs", t / "o.h5", flags("-q --recursive --json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["images"], 1);  // listed once, however many ways it is reached
  fs::create_symlink(t / "missing.png", t / "imgs/dangling.png");
  r = run({gan_data(), "import", t / "imgs", t / "o2.h5", "-q"});
  expect_cli_error(r, 2, "dangling.png: dangling symbolic link (its target is missing)");
  r = run({gan_data(), "import", t / "imgs", t / "o3.h5", flags("-q --skip-bad --json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["skipped"], 1);
  EXPECT_NE(r.err.find("dangling.png"), std::string::npos) << r.err;  // named even with -q
}

TEST(Hostile, ErrorLinesStayOneLineAndOursAlone) {
  TempDir t;
  test::write_noise_folder(t / "imgs", 2, 32);
  const std::string png = test::read_bytes(t / "imgs/0000.png");
  test::write_bytes(t / "imgs/0001.png", png.substr(0, png.size() / 2));  // header fine, IDAT cut
  auto r = run({gan_data(), "import", t / "imgs", t / "o.h5", "-q"});
  expect_cli_error(r, 2, "0001.png");
  EXPECT_EQ(r.err.find("libpng"), std::string::npos) << r.err;
  // A name with a newline is escaped, not split.
  fs::rename(t / "imgs/0001.png", t / "imgs/bad\nname.png");
  r = run({gan_data(), "import", t / "imgs", t / "o.h5", "-q"});
  expect_cli_error(r, 2, "bad\\nname.png");
  // Skipped names are printed even with --quiet; forced progress off a terminal has no escapes.
  r = run({gan_data(), "import", t / "imgs", t / "o.h5", flags("--quiet --skip-bad")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("bad\\nname.png"), std::string::npos) << r.err;
  r = run({gan_data(), "import", t / "imgs", t / "o2.h5", flags("--progress --skip-bad")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
}

// ---- Data loss: --overwrite replaces only what it may.

TEST(Hostile, OverwriteReplacesOnlyRegularFilesAndOurOwnFolders) {
  TempDir t;
  test::write_noise_folder(t / "imgs", 2, 16);
  const test::Command import = {gan_data(), "import", t / "imgs"};
  fs::create_directories(t / "folder.h5");
  test::write_bytes(t / "folder.h5/precious.txt", "keep me");
  expect_cli_error(run(import.with({t / "folder.h5", flags("-q --overwrite")})), 2, "is a folder");
  EXPECT_EQ(test::read_bytes(t / "folder.h5/precious.txt"), "keep me");
  ASSERT_EQ(mkfifo((t / "pipe.h5").c_str(), 0600), 0);
  expect_cli_error(run(import.with({t / "pipe.h5", flags("-q --overwrite")})), 2, "not a regular file");
  EXPECT_TRUE(fs::is_fifo(t / "pipe.h5"));
  fs::create_symlink(t / "missing.h5", t / "dangling.h5");
  expect_cli_error(run(import.with({t / "dangling.h5", flags("-q --overwrite")})), 2, "dangling.h5");
  // A link to a file: the file it points to is replaced, the link stays.
  test::write_bytes(t / "real.h5", "old");
  fs::create_symlink(t / "real.h5", t / "link.h5");
  ASSERT_EQ(run(import.with({t / "link.h5", flags("-q --overwrite")})).exit_code, 0);
  EXPECT_TRUE(fs::is_symlink(t / "link.h5"));
  EXPECT_EQ(PyramidReader(t / "real.h5").count(), 2);
  // export replaces a folder only when it holds nothing but what export writes.
  fs::create_directories(t / "png");
  test::write_bytes(t / "png/notes.txt", "mine");
  expect_cli_error(run({gan_data(), "export", t / "real.h5", t / "png", flags("-q --overwrite")}), 2, "notes.txt");
  EXPECT_EQ(test::read_bytes(t / "png/notes.txt"), "mine");
  fs::remove(t / "png/notes.txt");
  ASSERT_EQ(run({gan_data(), "export", t / "real.h5", t / "png2", "-q"}).exit_code, 0);
  ASSERT_EQ(run({gan_data(), "export", t / "real.h5", t / "png2", flags("-q --overwrite")}).exit_code, 0);
  EXPECT_TRUE(fs::exists(t / "png2/00000001.png"));
}

TEST(Hostile, AnOutputThatIsAnInputIsRefused) {
  TempDir t;
  test::write_pyramid(t / "d.h5", 10, 1, 16);
  const std::string before = test::read_bytes(t / "d.h5");
  fs::create_hard_link(t / "d.h5", t / "hard.h5");
  for (const char* out : {"d.h5", "hard.h5"}) {
    expect_cli_error(run({gan_eval(), "features", t / "d.h5", t / out, flags("--raw-pixels --overwrite -q")}), 1,
                     "is also an input");
  }
  expect_cli_error(run({gan_data(), flags("dedup hash"), t / "d.h5", t / "g.json", flags("--method exact --apply"),
                        t / "hard.h5", flags("--overwrite -q")}),
                   1, "is also an input");
  EXPECT_EQ(test::read_bytes(t / "d.h5"), before);
  test::write_idx(t / "train-images-idx3-ubyte", t / "train-labels-idx1-ubyte", 5, 28, 28, false);
  const std::string idx = test::read_bytes(t / "train-images-idx3-ubyte");
  expect_cli_error(run({gan_data(), "import", t / "train-images-idx3-ubyte", t / "train-labels-idx1-ubyte",
                        flags("--overwrite -q")}),
                   1, "is also an input");
  EXPECT_EQ(test::read_bytes(t / "train-images-idx3-ubyte"), idx);
}

TEST(Hostile, StaleTemporariesOfDeadProcessesAreRemoved) {
  TempDir t;
  test::write_noise_folder(t / "imgs", 2, 16);
  const fs::path dead = t / fmt::format("o.h5.tmp-{}", dead_pid());
  const fs::path live = t / fmt::format("o.h5.tmp-{}", getpid());  // this test: alive, may be writing
  test::write_bytes(dead, "left by a SIGKILL");
  test::write_bytes(live, "in progress");
  ASSERT_EQ(run({gan_data(), "import", t / "imgs", t / "o.h5", "-q"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
}

// ---- "Inputs are never modified": every command that writes, with its inputs' bytes compared.

TEST(Hostile, EveryWritingCommandLeavesItsInputsByteIdentical) {
  TrainFixture f;
  test::write_noise_folder(f.dir / "imgs", 12, 32);
  ASSERT_EQ(run(f.train(f.dir / "d.h5", "run", "--steps 2 --keep-every 1")).exit_code, 0);
  const fs::path ckpt = f.dir / "run/checkpoints/step_000002.pt";
  std::vector<fs::path> inputs = {f.dir / "d.h5", ckpt};
  for (int i = 0; i < 12; ++i) inputs.push_back(f.dir / "imgs" / fmt::format("{:04}.png", i));
  std::map<fs::path, std::string> before;
  for (const fs::path& p : inputs) before[p] = test::read_bytes(p);
  const fs::path d = f.dir / "d.h5", imgs = f.dir / "imgs", c = ckpt;
  const std::vector<test::Command> commands = {
      {gan_data(), "import", imgs, f.dir / "i.h5", "-q"},
      {gan_data(), "export", d, f.dir / "png", "-q"},
      {gan_data(), "info", d},
      {gan_data(), "dedup", "hash", imgs, f.dir / "g.json", flags("--method exact -q --apply"), f.dir / "dd.h5"},
      {gan_data(), "dedup", "hash", d, f.dir / "g2.json", flags("--method exact -q --apply"), f.dir / "dd2.h5"},
      {gan_train(), "sample", c, flags("--num 8 --threads 1 -q --out"), f.dir / "s.npy"},
      {gan_train(), "interpolate", c, flags("--threads 1 -q --out"), f.dir / "walk.png"},
      {gan_eval(), "features", c, d, f.dir / "f.h5", flags("--threads 1 -q")},
      {gan_eval(), "features", d, f.dir / "raw.h5", flags("--raw-pixels -q")},
      {gan_eval(), "swd", d, d, "-q"},
      {gan_eval(), "msssim", imgs, "-q"},
      {gan_eval(), "compare", d, c, flags("--num-images 16 --repeats 1 --cache-dir none -q --out"), f.dir / "report"},
  };
  for (const test::Command& cmd : commands) {
    const std::string name = cmd.argv[1];
    const auto r = run(cmd);
    ASSERT_EQ(r.exit_code, 0) << name << "\n" << r.err;
    for (const auto& [p, bytes] : before) EXPECT_EQ(test::read_bytes(p), bytes) << p << " changed by: " << name;
  }
}

// ---- Training runs: the data they were trained on, one writer, no half-made runs.

TEST(Hostile, ResumeChecksTheDataAndTheLock) {
  TrainFixture f;
  ASSERT_EQ(run({gan_train(), flags("--data d.h5 --out run --ngf 8 --ndf 8 --z-dim 16 --batch 8 --threads 1 -q "
                                    "--steps 1")},
                {.cwd = f.dir.path()})
                .exit_code,
            0);
  const auto config = nlohmann::json::parse(test::read_bytes(f.dir / "run/config.json"));
  EXPECT_EQ(config["data"], (f.dir / "d.h5").string());  // absolute: a resume from elsewhere finds it
  const fs::path stale = f.dir / fmt::format("run/checkpoints/latest.pt.tmp-{}", dead_pid());
  test::write_bytes(stale, "left by a SIGKILL");
  ASSERT_EQ(run(f.resume("run", "--steps 2"), {.cwd = "/"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(stale));
  // Other images under the same name are refused; --allow-data-change records the change.
  fs::remove(f.dir / "d.h5");
  test::write_pyramid(f.dir / "d.h5", 48, 1, 32);
  auto r = run(f.resume("run", "--steps 3"));
  expect_cli_error(r, 1, "holds other images than the run was trained on");
  EXPECT_NE(r.err.find("--allow-data-change"), std::string::npos) << r.err;
  r = run(f.resume("run", "--steps 3 --allow-data-change"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto changed = nlohmann::json::parse(test::read_bytes(f.dir / "run/config.json"));
  ASSERT_TRUE(changed.contains("data_changes"));
  EXPECT_EQ(changed["data_changes"].size(), 1u);
  // A second writer gets one line naming the holder.
  {
    FolderLock lock(f.dir / "run");
    expect_cli_error(run(f.resume("run", "--steps 4 --allow-data-change")), 2,
                     fmt::format("is in use by another process (PID {})", getpid()));
  }
  EXPECT_EQ(run(f.resume("run", "--steps 4")).exit_code, 0);
}

TEST(Hostile, AFailedStartLeavesNoRun) {
  TrainFixture f;
  test::write_pyramid(f.dir / "few.h5", 4, 1, 32);  // fewer images than one batch of 8
  auto r = run(f.train(f.dir / "few.h5", "run", "--steps 2"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(fs::exists(f.dir / "run"));
  r = run(f.train(f.dir / "d.h5", "run", "--steps 1"));
  EXPECT_EQ(r.exit_code, 0) << r.err;  // not "already holds a run"
}

TEST(Hostile, NegativeNumbersAndConflictingLengthsAreUsageErrors) {
  TrainFixture f;
  ASSERT_EQ(run(f.train(f.dir / "d.h5", "run", "--steps 1")).exit_code, 0);
  for (const char* seed : {"-1", "-4294967295"}) {
    expect_cli_error(run(f.train(f.dir / "d.h5", "r2", fmt::format("--steps 1 --seed {}", seed))), 1,
                     fmt::format("the argument ('{}') for option '--seed' is invalid", seed));
    expect_cli_error(
        run({gan_train(), "sample", f.dir / "run", flags("--num 2 --out"), f.dir / "s.npy", "--seed", seed, "-q"}), 1,
        "--seed");
    expect_cli_error(run({gan_eval(), "swd", f.dir / "d.h5", f.dir / "d.h5", "--seed", seed, "-q"}), 1, "--seed");
  }
  expect_cli_error(run(f.train(f.dir / "d.h5", "r3", "--steps 5 --epochs 1")), 1, "--steps");
  EXPECT_FALSE(fs::exists(f.dir / "r2"));
  EXPECT_FALSE(fs::exists(f.dir / "r3"));
}

}  // namespace
}  // namespace gankit
