// De-duplication building blocks: hash grouping (exact cases for radius 0, 1, 2 and order
// invariance), the hash encodings, the exact pixel hash, thumbnails and the training sample.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "error.h"
#include "fixtures.h"
#include "hdf5_store.h"
#include "semantic_hash.h"
#include "test_util.h"
#include "thumbnails.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;

Hash128 flipped(Hash128 h, std::initializer_list<int> bits) {
  for (int b : bits) {
    if (b < 64)
      h.hi ^= uint64_t{1} << (63 - b);
    else
      h.lo ^= uint64_t{1} << (127 - b);
  }
  return h;
}

TEST(GroupDuplicates, EqualHashesFormGroupsOrderedByFirstMember) {
  const Hash128 a{1, 2}, b{3, 4}, c{5, 6};
  const std::vector<Hash128> h = {a, b, c, b, a, a};
  const DuplicateGroups g = group_duplicates(h);
  ASSERT_EQ(g.groups.size(), 2u);
  EXPECT_EQ(g.groups[0], (std::vector<int64_t>{0, 4, 5}));
  EXPECT_EQ(g.groups[1], (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(g.group_hash[0], a);
  EXPECT_EQ(g.keep, (std::vector<char>{1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(g.distinct, 3);
  EXPECT_EQ(g.removed(), 3);
}

TEST(GroupDuplicates, PartitionDoesNotDependOnOrder) {
  std::mt19937_64 rng(7);
  std::vector<Hash128> pool(50);
  for (auto& p : pool) p = {rng(), rng()};
  std::vector<Hash128> h(2000);
  for (auto& x : h) x = pool[rng() % pool.size()];
  auto partition = [](const std::vector<Hash128>& hashes, const std::vector<size_t>& ids) {
    std::vector<std::vector<size_t>> sets;
    for (const auto& grp : group_duplicates(hashes).groups) {
      std::vector<size_t> s;
      for (int64_t i : grp) s.push_back(ids[static_cast<size_t>(i)]);
      std::sort(s.begin(), s.end());
      sets.push_back(s);
    }
    std::sort(sets.begin(), sets.end());
    return sets;
  };
  std::vector<size_t> ids(h.size());
  std::iota(ids.begin(), ids.end(), 0);
  const auto before = partition(h, ids);
  std::vector<size_t> perm = ids;
  std::shuffle(perm.begin(), perm.end(), rng);
  std::vector<Hash128> shuffled(h.size());
  for (size_t i = 0; i < h.size(); ++i) shuffled[i] = h[perm[i]];
  EXPECT_EQ(partition(shuffled, perm), before);
  EXPECT_EQ(before.size(), 50u);
}

TEST(GroupDuplicates, RadiusJoinsTheEarliestLeaderWithinThatManyBits) {
  const Hash128 a{0x0123456789abcdefull, 0xfedcba9876543210ull};
  const Hash128 a1 = flipped(a, {5});           // 1 bit from a
  const Hash128 a2 = flipped(a, {5, 100});      // 2 bits from a, 1 from a1
  const Hash128 a3 = flipped(a, {0, 64, 127});  // 3 bits from a
  const std::vector<Hash128> h = {a, a1, a2, a3};
  // Radius 0: four singletons.
  EXPECT_TRUE(group_duplicates(h, 0).groups.empty());
  // Radius 1: a1 joins a; a2 is 2 bits from the only leader a, so it leads; a3 is alone.
  const DuplicateGroups r1 = group_duplicates(h, 1);
  ASSERT_EQ(r1.groups.size(), 1u);
  EXPECT_EQ(r1.groups[0], (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(r1.keep, (std::vector<char>{1, 0, 1, 1}));
  // Radius 2: a1 and a2 join a (bits 0..127 all reachable, incl. both words); a3 is 3 bits away.
  const DuplicateGroups r2 = group_duplicates(h, 2);
  ASSERT_EQ(r2.groups.size(), 1u);
  EXPECT_EQ(r2.groups[0], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(r2.distinct, 2);
  // A member joins the earliest of two leaders in reach.
  const Hash128 b = flipped(a, {1, 2});  // 2 bits from a: a separate leader at radius 1
  const Hash128 between = flipped(a, {1});  // 1 bit from a and from b
  const DuplicateGroups r1b = group_duplicates(std::vector<Hash128>{b, a, between}, 1);
  ASSERT_EQ(r1b.groups.size(), 1u);
  EXPECT_EQ(r1b.groups[0], (std::vector<int64_t>{0, 2}));
  EXPECT_THROW(group_duplicates(h, 3), Error);
}

TEST(GroupDuplicates, ProbesFlipOnlyTheUncertainBitsAndPreferFewestFlips) {
  const Hash128 a{0x0123456789abcdefull, 0xfedcba9876543210ull};
  // Each image lists its 3 least confident bits.
  struct Image {
    Hash128 hash;
    std::vector<uint8_t> uncertain;
  };
  const std::vector<Image> images = {
      {a, {9, 10, 11}},                        // 0: leader
      {flipped(a, {3, 70}), {70, 3, 120}},     // 1: a with two of its uncertain bits flipped: joins 0
      {flipped(a, {5}), {6, 7, 8}},            // 2: one bit from a, but not an uncertain one: leader
      {flipped(a, {5, 127}), {127, 5, 1}},     // 3: 1 flip reaches 2, 2 flips reach 0: fewest flips win
      {flipped(a, {5, 127}), {5, 1, 2}},       // 4: 3's hash, but 127 is certain: 2 is out of reach
      {flipped(a, {0, 64, 127}), {0, 64, 2}},  // 5: 127 is not uncertain: nobody in reach, leader
  };
  std::vector<Hash128> h;
  std::vector<uint8_t> uncertain;
  for (const Image& im : images) {
    h.push_back(im.hash);
    uncertain.insert(uncertain.end(), im.uncertain.begin(), im.uncertain.end());
  }
  const DuplicateGroups g = group_with_probes(h, uncertain, 3);
  ASSERT_EQ(g.groups.size(), 2u);
  EXPECT_EQ(g.groups[0], (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(g.groups[1], (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(g.keep, (std::vector<char>{1, 0, 1, 0, 1, 1}));  // 4 leads: members' hashes are no leaders
  EXPECT_EQ(g.distinct, 4);
  // Among leaders reached with as many flips, the earliest: b and a are each one flip from
  // `between`, whose uncertain bits hold both differences.
  const Hash128 b = flipped(a, {1, 2});
  const Hash128 between = flipped(a, {1});
  const DuplicateGroups e = group_with_probes(std::vector<Hash128>{b, a, between}, std::vector<uint8_t>{40, 41, 1, 40, 41, 2, 1, 2, 40}, 3);
  ASSERT_EQ(e.groups.size(), 1u);
  EXPECT_EQ(e.groups[0], (std::vector<int64_t>{0, 2}));
  // Only 1..12 probe bits, and one list per hash.
  EXPECT_THROW(group_with_probes(h, {}, 0), Error);
  EXPECT_THROW(group_with_probes(h, std::vector<uint8_t>(h.size() * 13, 0), 13), Error);
  EXPECT_THROW(group_with_probes(h, std::vector<uint8_t>(h.size() * 2, 0), 3), Error);
}

TEST(Hash128Test, BitOrderHexAndPopcount) {
  std::vector<float> code(128, 0.0f);
  code[0] = 0.5f;    // most significant bit of hi
  code[63] = 2.0f;   // least significant bit of hi
  code[64] = 1e-6f;  // most significant bit of lo
  code[100] = -1.0f; // negative: off
  const Hash128 h = binarize_code(code);
  EXPECT_EQ(h.hi, 0x8000000000000001ull);
  EXPECT_EQ(h.lo, 0x8000000000000000ull);
  EXPECT_EQ(h.to_hex(), "80000000000000018000000000000000");
  EXPECT_EQ(Hash128::from_hex(h.to_hex()), h);
  EXPECT_EQ(h.popcount(), 3);
  EXPECT_THROW(Hash128::from_hex("12x4"), Error);
}

TEST(PixelHash, EqualOnlyForIdenticalPixelsAndShape) {
  cv::Mat a(8, 6, CV_8UC3);
  cv::randu(a, 0, 256);
  cv::Mat b = a.clone();
  EXPECT_EQ(pixel_hash(a), pixel_hash(b));
  EXPECT_EQ(pixel_hash(a(cv::Rect(0, 0, 6, 8))), pixel_hash(b));  // a view hashes its pixels only
  b.at<cv::Vec3b>(7, 5)[2] ^= 1;
  EXPECT_NE(pixel_hash(a), pixel_hash(b));
  EXPECT_NE(pixel_hash(a.reshape(3, 6)), pixel_hash(a));  // same bytes, other shape
  // FNV-1a 128 of the empty input is its offset basis.
  EXPECT_EQ(bytes_hash({}).to_hex(), "6c62272e07bb014262b821756295c58d");
}

TEST(Thumbnail, CentreCropResizeAndGrayToRgb) {
  // 32x32 RGB: copied exactly, HWC -> CHW.
  cv::Mat rgb(32, 32, CV_8UC3);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x) rgb.at<cv::Vec3b>(y, x) = {uint8_t(x), uint8_t(y), uint8_t(x + y)};
  std::vector<uint8_t> t(kThumbnailBytes);
  make_thumbnail(rgb, t.data());
  EXPECT_EQ(t[0 * 1024 + 5 * 32 + 7], 7);
  EXPECT_EQ(t[1 * 1024 + 5 * 32 + 7], 5);
  EXPECT_EQ(t[2 * 1024 + 5 * 32 + 7], 12);
  // 96x64 gray with a bright 64x64 centre and dark side bands: the crop keeps only the centre,
  // and 64 -> 32 is an exact 2x2 mean; the gray value fills all three channels.
  cv::Mat gray(64, 96, CV_8UC1, cv::Scalar(0));
  gray(cv::Rect(16, 0, 64, 64)).setTo(200);
  gray.at<uint8_t>(0, 16) = 100;  // one pixel of the top-left 2x2 block
  make_thumbnail(gray, t.data());
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(t[c * 1024 + 0], 175);  // (100 + 3 * 200) / 4
    EXPECT_EQ(t[c * 1024 + 31 * 32 + 31], 200);
  }
}

TEST(Thumbnail, PyramidReadsLevel32AndSampleIsDeterministic) {
  test::TempDir dir;
  const fs::path h5 = dir / "p.h5";
  test::write_pyramid(h5, 1500, 3, 64);
  ThumbnailReader reader(h5, {}, true);
  EXPECT_EQ(reader.format(), "h5");
  ThumbnailBatch batch;
  ASSERT_TRUE(reader.next(batch, 10));
  PyramidReader p(h5);
  const ImageBatch level32 = p.read(32, 0, 10);
  ASSERT_EQ(batch.size(), 10u);
  EXPECT_TRUE(std::equal(batch.pixels.begin(), batch.pixels.end(), level32.data.data()));
  EXPECT_EQ(batch.names[3], h5.string() + "#3");
  // Random access returns the same thumbnails as the sequential read.
  const std::vector<int64_t> idx = {7, 2};
  const std::vector<uint8_t> at = reader.read_at(idx);
  EXPECT_TRUE(std::equal(at.begin(), at.begin() + kThumbnailBytes, level32.image(7)));
  EXPECT_TRUE(std::equal(at.begin() + kThumbnailBytes, at.end(), level32.image(2)));
  // The sample: a function of the seed; all images (in order) when n >= count.
  ThumbnailReader r1(h5, {}, true), r2(h5, {}, true), r3(h5, {}, true);
  EXPECT_EQ(sample_thumbnails(r1, 100, 5, {true}), sample_thumbnails(r2, 100, 5, {true}));
  EXPECT_NE(sample_thumbnails(r1, 100, 5, {true}), sample_thumbnails(r3, 100, 6, {true}));
  const std::vector<uint8_t> all = sample_thumbnails(r1, 5000, 5, {true});
  EXPECT_EQ(all.size(), 1500u * kThumbnailBytes);
  EXPECT_TRUE(std::equal(all.begin(), all.begin() + 10 * kThumbnailBytes, level32.data.data()));
}

TEST(Thumbnail, ReservoirSampleOfAFolderIsAUniformDeterministicSubset) {
  test::TempDir dir;
  fs::create_directories(dir / "imgs");
  for (int i = 0; i < 40; ++i) {
    cv::Mat m(32, 32, CV_8UC3, cv::Scalar(i, 2 * i, 3 * i));
    cv::imwrite((dir / "imgs" / fmt::format("{:03d}.png", i)).string(), m);
  }
  auto values = [&](uint64_t seed, int64_t n) {
    ThumbnailReader r(dir / "imgs", {}, true);
    const std::vector<uint8_t> s = sample_thumbnails(r, n, seed, {true});
    std::vector<int> v;
    for (size_t i = 0; i < s.size(); i += kThumbnailBytes) v.push_back(s[i + 2 * 1024]);  // blue channel = i
    return v;
  };
  const std::vector<int> a = values(1, 10);
  ASSERT_EQ(a.size(), 10u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));  // dataset order
  EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end());  // no repeats
  EXPECT_EQ(values(1, 10), a);
  EXPECT_NE(values(2, 10), a);
  std::vector<int> everything(40);
  std::iota(everything.begin(), everything.end(), 0);
  EXPECT_EQ(values(1, 40), everything);
}

}  // namespace
}  // namespace gankit
