// Feature files (lib/feature_store.h): splits, labels and attributes round trip; bad files are named.
#include <gtest/gtest.h>
#include <hdf5.h>

#include "error.h"
#include "feature_store.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::error_of;
using test::TempDir;

TEST(FeatureStore, RoundTripAndRandomRows) {
  TempDir dir;
  const fs::path path = dir / "f.h5";
  std::vector<float> rows(7 * 3);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(i) * 0.5f;
  std::vector<int64_t> labels = {0, 1, 2, 0, 1, 2, 0};
  {
    FeatureWriter w(path, 3, false);
    w.add_split("a", 7, labels, "a.h5");
    w.add_split("b", 2, {}, "b.h5");
    w.write_rows("a", 0, 4, rows.data());
    w.write_rows("a", 4, 3, rows.data() + 12);
    w.write_rows("b", 0, 2, rows.data());
    w.set_attribute("kind", "discriminator");
    w.commit();
  }
  const FeatureReader r(path);
  EXPECT_EQ(r.dim(), 3);
  ASSERT_EQ(r.splits().size(), 2u);
  EXPECT_EQ(r.split("a").count, 7);
  EXPECT_EQ(r.split("a").source, "a.h5");
  EXPECT_FALSE(r.split("b").has_labels);
  EXPECT_EQ(r.labels("a"), labels);
  EXPECT_EQ(r.attributes().at("kind"), "discriminator");
  const std::vector<int64_t> idx = {6, 0, 3, 3, 4};
  std::vector<float> got(idx.size() * 3);
  r.read_indices("a", idx, got.data());
  for (size_t k = 0; k < idx.size(); ++k)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(got[k * 3 + j], rows[idx[k] * 3 + j]);
  EXPECT_NE(error_of([&] { r.labels("b"); }).find("split b has no labels"), std::string::npos);
  // Without commit nothing appears under the final name.
  {
    FeatureWriter w(dir / "g.h5", 3, false);
    w.add_split("a", 7, labels, "a.h5");
  }
  EXPECT_FALSE(fs::exists(dir / "g.h5"));
  EXPECT_NE(error_of([&] { FeatureWriter w(path, 3, false); }).find("exists"), std::string::npos);
}

TEST(FeatureStore, RejectsFilesThatAreNotFeatureFiles) {
  TempDir dir;
  EXPECT_NE(error_of([&] { FeatureReader r(dir / "missing.h5"); }).find("does not exist"), std::string::npos);
  test::write_bytes(dir / "text.h5", "hello");
  EXPECT_NE(error_of([&] { FeatureReader r(dir / "text.h5"); }).find("not an HDF5 file"), std::string::npos);
  // An HDF5 file whose labels do not match its rows.
  const fs::path bad = dir / "bad.h5";
  {
    hid_t f = H5Fcreate(bad.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "train", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t fd[2] = {5, 2}, ld[1] = {4};
    hid_t fs_ = H5Screate_simple(2, fd, nullptr), ls = H5Screate_simple(1, ld, nullptr);
    hid_t d1 = H5Dcreate2(g, "features", H5T_IEEE_F32LE, fs_, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t d2 = H5Dcreate2(g, "labels", H5T_STD_I64LE, ls, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(d1), H5Dclose(d2), H5Sclose(fs_), H5Sclose(ls), H5Gclose(g), H5Fclose(f);
  }
  EXPECT_NE(error_of([&] { FeatureReader r(bad); }).find("has 4 labels for 5 feature rows"), std::string::npos);
  const fs::path empty = dir / "empty.h5";
  H5Fclose(H5Fcreate(empty.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  EXPECT_NE(error_of([&] { FeatureReader r(empty); }).find("is not a feature file"), std::string::npos);
}

}  // namespace
}  // namespace gankit
