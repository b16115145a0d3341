// De-duplication building blocks (datasets/dedup.h, semantic_hash.h): hash grouping (exact cases
// for radius 0, 1, 2 and order invariance), the hash encodings and the exact pixel hash.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <random>

#include "error.h"
#include "hash_autoencoder_options.h"
#include "hdf5_store.h"
#include "semantic_hash.h"
#include "sketch.h"
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
Hash128 flip_bit(Hash128 h, int bit) { return flipped(h, {bit}); }

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
  // Radius 1: a1 joins a; a2 is 2 bits from a but 1 from the member a1, so it joins their
  // group too (members are reached like first members); a3 is alone.
  const DuplicateGroups r1 = group_duplicates(h, 1);
  ASSERT_EQ(r1.groups.size(), 1u);
  EXPECT_EQ(r1.groups[0], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(r1.keep, (std::vector<char>{1, 0, 0, 1}));
  // Without the member in between, a2 is out of reach and leads its own group.
  EXPECT_TRUE(group_duplicates(std::vector<Hash128>{a, a2, a3}, 1).groups.empty());
  // Radius 2: a1 and a2 join a (bits 0..127 all reachable, incl. both words); a3 is 3 bits away.
  const DuplicateGroups r2 = group_duplicates(h, 2);
  ASSERT_EQ(r2.groups.size(), 1u);
  EXPECT_EQ(r2.groups[0], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(r2.distinct, 2);
  // A member joins the earliest of two leaders in reach.
  const Hash128 b = flipped(a, {1, 2});     // 2 bits from a: a separate leader at radius 1
  const Hash128 between = flipped(a, {1});  // 1 bit from a and from b
  const DuplicateGroups r1b = group_duplicates(std::vector<Hash128>{b, a, between}, 1);
  ASSERT_EQ(r1b.groups.size(), 1u);
  EXPECT_EQ(r1b.groups[0], (std::vector<int64_t>{0, 2}));
  EXPECT_THROW(group_duplicates(h, 3), Error);
}

// The search of an image stops after kMaxProbesPerImage (65,536) probes, in depth-first order:
// with K equally near bits the single flip of the K-th bit is the last of the 2^K - 1 probes, so
// a copy one flip of that bit away is found with K = 16 (probe 65,535) and not with K = 17
// (probe 131,071), where trying every subset would find it.
TEST(GroupDuplicates, TheProbeSearchStopsAtItsCapInDepthFirstOrder) {
  const Hash128 a{0x0123456789abcdefull, 0xfedcba9876543210ull};
  for (int k : {16, 17}) {
    std::vector<uint8_t> bits;
    for (int image = 0; image < 2; ++image)
      for (int b = 0; b < k; ++b) bits.push_back(static_cast<uint8_t>(b));
    const std::vector<Hash128> h = {a, flipped(a, {k - 1})};
    const std::vector<float> zero(bits.size(), 0.0f);  // every probe at distance 0: no branch is cut
    const DuplicateGroups g = group_with_probes(h, bits, zero, k, 1.0);
    if (k == 16) {
      ASSERT_EQ(g.groups.size(), 1u);
      EXPECT_EQ(g.groups[0], (std::vector<int64_t>{0, 1}));
    } else {
      EXPECT_TRUE(g.groups.empty()) << "found beyond the cap of " << kMaxProbesPerImage << " probes";
    }
  }
}

TEST(GroupDuplicates, ProbesFlipOnlyTheUncertainBitsAndTheNearestProbeWins) {
  const Hash128 a{0x0123456789abcdefull, 0xfedcba9876543210ull};
  // Each image lists its 3 least confident bits; unless a case says otherwise their flip
  // distances are 0.125, 0.25 and 0.5 (exact in float, so the sums are exact too).
  const std::vector<float> d3 = {0.125f, 0.25f, 0.5f};
  auto distances = [&](size_t images) {
    std::vector<float> d;
    for (size_t i = 0; i < images; ++i) d.insert(d.end(), d3.begin(), d3.end());
    return d;
  };
  struct Image {
    Hash128 hash;
    std::vector<uint8_t> uncertain;
  };
  const std::vector<Image> images = {
      {a, {9, 10, 11}},                        // 0: leader
      {flipped(a, {3, 70}), {70, 3, 120}},     // 1: a with two of its uncertain bits flipped: joins 0
      {flipped(a, {5}), {6, 7, 8}},            // 2: one bit from a, but not an uncertain one: leader
      {flipped(a, {5, 127}), {127, 5, 1}},     // 3: 2 at distance 0.125, 0 at 0.375: the nearer wins
      {flipped(a, {5, 127}), {5, 1, 2}},       // 4: 3's hash (127 certain here): equal hashes share a group
      {flipped(a, {0, 64, 127}), {0, 64, 2}},  // 5: 127 is not uncertain: nobody in reach, leader
  };
  std::vector<Hash128> h;
  std::vector<uint8_t> uncertain;
  for (const Image& im : images) {
    h.push_back(im.hash);
    uncertain.insert(uncertain.end(), im.uncertain.begin(), im.uncertain.end());
  }
  const DuplicateGroups g = group_with_probes(h, uncertain, distances(h.size()), 3);
  ASSERT_EQ(g.groups.size(), 2u);
  EXPECT_EQ(g.groups[0], (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(g.groups[1], (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(g.keep, (std::vector<char>{1, 0, 1, 0, 0, 1}));
  EXPECT_EQ(g.distinct, 3);
  // Distance, not the number of flips, decides: x is one far bit (20, distance 1.0) from a and
  // two near bits (21 and 22, 0.375 in all) from q, so it joins q.
  const Hash128 q = flipped(a, {20, 21, 22});
  const std::vector<Hash128> aqx = {a, q, flipped(a, {20})};
  const std::vector<uint8_t> aqx_bits = {9, 10, 11, 30, 31, 32, 20, 21, 22};
  const std::vector<float> aqx_dist = {0.125f, 0.25f, 0.5f, 0.125f, 0.25f, 0.5f, 1.0f, 0.125f, 0.25f};
  const DuplicateGroups f = group_with_probes(aqx, aqx_bits, aqx_dist, 3);
  ASSERT_EQ(f.groups.size(), 1u);
  EXPECT_EQ(f.groups[0], (std::vector<int64_t>{1, 2}));
  // The distance limit: probes beyond it are not looked up; it is inclusive.
  EXPECT_TRUE(group_with_probes(aqx, aqx_bits, aqx_dist, 3, 0.3).groups.empty());
  EXPECT_EQ(group_with_probes(aqx, aqx_bits, aqx_dist, 3, 0.375).groups, f.groups);
  // An exact copy follows its original even when a group it reaches nearer appeared in between:
  // 1 joins 0 at 0.375, 2 leads, 3 (= 1) would reach 2 at 0.5.
  const Hash128 c = flipped(a, {3, 70});
  const DuplicateGroups x =
      group_with_probes(std::vector<Hash128>{a, c, flipped(c, {120}), c},
                        std::vector<uint8_t>{9, 10, 11, 70, 3, 120, 6, 7, 8, 70, 3, 120}, distances(4), 3);
  ASSERT_EQ(x.groups.size(), 1u);
  EXPECT_EQ(x.groups[0], (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(x.keep, (std::vector<char>{1, 0, 1, 0}));
  // A member is reached like a first member: 2 is 3 bits from a but one uncertain bit from
  // the member c, so it joins their group.
  const DuplicateGroups m = group_with_probes(std::vector<Hash128>{a, c, flipped(c, {120})},
                                              std::vector<uint8_t>{9, 10, 11, 70, 3, 120, 120, 6, 7}, distances(3), 3);
  ASSERT_EQ(m.groups.size(), 1u);
  EXPECT_EQ(m.groups[0], (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(m.distinct, 1);
  // Among groups reached at the same distance, the earliest: b and a are each one flip from
  // `between`, whose uncertain bits 1 and 2 (equally far) hold both differences.
  const Hash128 b = flipped(a, {1, 2});
  const Hash128 between = flipped(a, {1});
  const std::vector<float> tie = {0.125f, 0.25f, 0.5f, 0.125f, 0.25f, 0.5f, 0.25f, 0.25f, 0.5f};
  const DuplicateGroups e = group_with_probes(std::vector<Hash128>{b, a, between},
                                              std::vector<uint8_t>{40, 41, 1, 40, 41, 2, 1, 2, 40}, tie, 3);
  ASSERT_EQ(e.groups.size(), 1u);
  EXPECT_EQ(e.groups[0], (std::vector<int64_t>{0, 2}));
  // 1..12 probe bits, up to 32 with a limit; one list of bits and of distances per hash; a limit >= 0.
  EXPECT_THROW(group_with_probes(h, {}, {}, 0), Error);
  EXPECT_THROW(group_with_probes(h, std::vector<uint8_t>(h.size() * 13, 0), std::vector<float>(h.size() * 13, 0), 13),
               Error);
  EXPECT_NO_THROW(
      group_with_probes(h, std::vector<uint8_t>(h.size() * 13, 0), std::vector<float>(h.size() * 13, 1), 13, 0.5));
  EXPECT_THROW(
      group_with_probes(h, std::vector<uint8_t>(h.size() * 33, 0), std::vector<float>(h.size() * 33, 1), 33, 0.5),
      Error);
  EXPECT_THROW(group_with_probes(h, std::vector<uint8_t>(h.size() * 2, 0), distances(h.size()), 3), Error);
  EXPECT_THROW(group_with_probes(h, uncertain, distances(h.size() - 1), 3), Error);
  EXPECT_THROW(group_with_probes(h, uncertain, distances(h.size()), 3, -1.0), Error);
  // The library names the setting as its options do; a tool names its flag (Error::message).
  try {
    group_with_probes(h, uncertain, distances(h.size()), 3, -1.0);
    ADD_FAILURE() << "a negative probe distance was accepted";
  } catch (const Error& err) {
    EXPECT_STREQ(err.what(), "probe_distance -1 must not be negative");
    EXPECT_EQ(err.message([](std::string_view s) { return std::string("<").append(s).append(">"); }),
              "<probe_distance> -1 must not be negative");
  }
}

// Verification: a hit counts only when the two images' code positions are within the angle.
// Positions here live in the first two of the 128 dimensions: p(theta) = (cos, sin) of theta
// degrees, so the angle between two images is the difference of their thetas.
TEST(GroupDuplicates, VerificationKeepsOnlyHitsWithinTheAngle) {
  const Hash128 a{0x0123456789abcdefull, 0xfedcba9876543210ull};
  auto positions = [](std::initializer_list<double> thetas) {
    std::vector<float> p;
    for (double t : thetas) {
      std::vector<float> v(kHashCodeUnits, 0.0f);
      v[0] = static_cast<float>(3 * std::cos(t * std::numbers::pi / 180));  // any length: only the angle counts
      v[1] = static_cast<float>(3 * std::sin(t * std::numbers::pi / 180));
      p.insert(p.end(), v.begin(), v.end());
    }
    return p;
  };
  // 0 and 1 share a hash 60 degrees apart; 2 is one near bit (10, 0.25) from a's hash and one far
  // bit (11, 0.5) from b's, 5 degrees from 1.
  const Hash128 b = flipped(a, {11});
  const std::vector<Hash128> h = {a, a, flipped(a, {10}), b};
  const std::vector<uint8_t> bits = {10, 11, 12, 10, 11, 12, 10, 11, 12, 11, 10, 12};
  const std::vector<float> dist = {0.25f, 0.5f, 1.0f, 0.25f, 0.5f, 1.0f, 0.25f, 0.5f, 1.0f, 0.25f, 0.5f, 1.0f};
  const std::vector<float> pos = positions({0, 60, 65, 2});
  // Without verification equal hashes group, and 2 and 3 join them too.
  const DuplicateGroups plain = group_with_probes(h, bits, dist, 3);
  ASSERT_EQ(plain.groups.size(), 1u);
  EXPECT_EQ(plain.groups[0], (std::vector<int64_t>{0, 1, 2, 3}));
  // 30 degrees: 1 is split from 0 (60 apart) and leads; 2 reaches the hash of 0 (checked against
  // 0, the first image with it: 65 apart), so it is not a hit there. 3 (b) is 2 degrees from 0:
  // it reaches a with its near bit 11 and joins 0.
  const DuplicateGroups v = group_with_probes(h, bits, dist, 3, kNoLimit, pos, 30.0);
  ASSERT_EQ(v.groups.size(), 1u);
  EXPECT_EQ(v.groups[0], (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(v.keep, (std::vector<char>{1, 1, 1, 0}));
  // The limit is inclusive, to within float rounding: 60 degrees apart join at 60.01, not at 59.99.
  EXPECT_EQ(group_with_probes(std::vector<Hash128>{a, a}, std::vector<uint8_t>{1, 2}, std::vector<float>{1, 1}, 1,
                              kNoLimit, positions({0, 60}), 60.01)
                .groups.size(),
            1u);
  EXPECT_TRUE(group_with_probes(std::vector<Hash128>{a, a}, std::vector<uint8_t>{1, 2}, std::vector<float>{1, 1}, 1,
                                kNoLimit, positions({0, 60}), 59.99)
                  .groups.empty());
  // A rejected near hit gives way to a farther one that passes: x is one near bit (10) from a,
  // 70 degrees away, and one far bit (11) from c, 1 degree away.
  const Hash128 c = flipped(a, {10, 11});
  const std::vector<Hash128> hx = {a, c, flipped(a, {10})};
  const std::vector<uint8_t> bx = {20, 21, 22, 20, 21, 22, 10, 11, 22};
  const std::vector<float> dx = {0.25f, 0.5f, 1.0f, 0.25f, 0.5f, 1.0f, 0.25f, 0.5f, 1.0f};
  const DuplicateGroups near = group_with_probes(hx, bx, dx, 3);  // nearest: a, at 0.25
  ASSERT_EQ(near.groups.size(), 1u);
  EXPECT_EQ(near.groups[0], (std::vector<int64_t>{0, 2}));
  const DuplicateGroups far = group_with_probes(hx, bx, dx, 3, kNoLimit, positions({0, 71, 70}), 10.0);
  ASSERT_EQ(far.groups.size(), 1u);
  EXPECT_EQ(far.groups[0], (std::vector<int64_t>{1, 2}));
  // An angle is 0..180 degrees; verification needs 128 position values per image.
  EXPECT_THROW(group_with_probes(h, bits, dist, 3, kNoLimit, pos, -1.0), Error);
  EXPECT_THROW(group_with_probes(h, bits, dist, 3, kNoLimit, pos, 181.0), Error);
  EXPECT_THROW(group_with_probes(h, bits, dist, 3, kNoLimit, std::span<const float>(pos).first(pos.size() - 1), 30.0),
               Error);
  EXPECT_NO_THROW(group_with_probes(h, bits, dist, 3, kNoLimit, {}, kNoLimit));
}

// --verify-pixels: a hit counts only when the two sketches are within the limit; a near hit
// that fails gives way to a farther one that passes, as with the angle.
TEST(GroupDuplicates, PixelVerificationKeepsOnlyHitsWithinTheSketchDistance) {
  const Hash128 a{0x0123456789abcdefull, 0xfedcba9876543210ull};
  const Hash128 c = flipped(a, {10, 11});
  // x (image 2) is one near bit (10) from a and one far bit (11) from c.
  const std::vector<Hash128> h = {a, c, flipped(a, {10})};
  const std::vector<uint8_t> bits = {20, 21, 22, 20, 21, 22, 10, 11, 22};
  const std::vector<float> dist = {0.25f, 0.5f, 1.0f, 0.25f, 0.5f, 1.0f, 0.25f, 0.5f, 1.0f};
  auto sketches = [](std::initializer_list<int> values) {
    std::vector<uint8_t> out;
    for (int v : values) out.insert(out.end(), kSketchBytes, static_cast<uint8_t>(v));
    return out;
  };
  // Sketches 0, 100, 101 (0 is black: no gain to compensate): x is 101 grey levels from a, 1
  // (within the gain's rounding) from c.
  const std::vector<uint8_t> sk = sketches({0, 100, 101});
  EXPECT_EQ(group_with_probes(h, bits, dist, 3).groups[0], (std::vector<int64_t>{0, 2}));  // nearest: a
  const DuplicateGroups v = group_with_probes(h, bits, dist, 3, kNoLimit, {}, kNoLimit, sk, 2.0);
  ASSERT_EQ(v.groups.size(), 1u);
  EXPECT_EQ(v.groups[0], (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(group_with_probes(h, bits, dist, 3, kNoLimit, {}, kNoLimit, sketches({0, 100, 140}), 2.0).groups.empty());
  EXPECT_THROW(group_with_probes(h, bits, dist, 3, kNoLimit, {}, kNoLimit, sk, -1.0), Error);
  EXPECT_THROW(group_with_probes(h, bits, dist, 3, kNoLimit, {}, kNoLimit, std::span(sk).first(10), 2.0), Error);
}

// probe_hits: per image the earlier images its search reaches, nearest first (an equal hash at
// distance 0 first), at most max_hits of them.
TEST(GroupDuplicates, ProbeHitsAreTheNearestEarlierImagesInOrder) {
  const Hash128 a{0x0123456789abcdefull, 0xfedcba9876543210ull};
  // Image 4 has a's hash flipped at 10: it reaches 0 (a) by flipping 10 (0.25), 1 by flipping 10
  // and 11 (0.75), 2 by 10 and 12 (1.25); 3 shares its hash.
  const std::vector<Hash128> h = {a, flipped(a, {11}), flipped(a, {12}), flipped(a, {10}), flipped(a, {10})};
  std::vector<uint8_t> bits;
  std::vector<float> dist;
  for (size_t i = 0; i < h.size(); ++i) {
    bits.insert(bits.end(), {10, 11, 12});
    dist.insert(dist.end(), {0.25f, 0.5f, 1.0f});
  }
  // Image i's slots, hits[i * k ...].
  auto of = [](const std::vector<int64_t>& hits, size_t i, size_t k) {
    return std::vector<int64_t>(hits.begin() + static_cast<ptrdiff_t>(i * k),
                                hits.begin() + static_cast<ptrdiff_t>((i + 1) * k));
  };
  const auto all = probe_hits(h, bits, dist, 3, kNoLimit, 6);
  ASSERT_EQ(all.size(), 5u * 6);
  EXPECT_EQ(of(all, 0, 6), (std::vector<int64_t>{-1, -1, -1, -1, -1, -1}));
  EXPECT_EQ(of(all, 4, 6), (std::vector<int64_t>{3, 0, 1, 2, -1, -1}));
  EXPECT_EQ(of(probe_hits(h, bits, dist, 3, kNoLimit, 2), 4, 2), (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(of(probe_hits(h, bits, dist, 3, 0.8, 6), 4, 6), (std::vector<int64_t>{3, 0, 1, -1, -1, -1}));  // within 0.8
}

// The depth-first search with its pruning finds what trying every subset finds: the nearest
// probe that reaches an earlier image, within the limit, ties to the earliest group; with
// verification, only hits (exact hash included) whose code positions are within the angle.
// Random families of hashes a few bits apart, random uncertain bits, distances and positions.
TEST(GroupDuplicates, ProbeSearchEqualsTryingEverySubset) {
  std::mt19937_64 rng(11);
  constexpr int kBits = 10;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<Hash128> h;
    std::vector<uint8_t> bits;
    std::vector<float> dist, pos;
    std::normal_distribution<float> normal;
    for (int i = 0; i < 400; ++i) {
      Hash128 x{rng() % 4, rng() % 8};  // 32 bases: many images share or nearly share a hash
      std::vector<uint8_t> b(128);
      std::iota(b.begin(), b.end(), uint8_t{0});
      std::shuffle(b.begin(), b.end(), rng);
      b.resize(kBits);
      for (int k = 0; k < 3; ++k)
        if (rng() % 2) x = flip_bit(x, rng() % 2 ? b[static_cast<size_t>(k)] : static_cast<int>(rng() % 128));
      h.push_back(x);
      bits.insert(bits.end(), b.begin(), b.end());
      for (int k = 0; k < kBits; ++k) dist.push_back(static_cast<float>(rng() % 64) / 64.0f);  // ties happen
      // Positions near one of 4 directions: angles between images from a few degrees to 180.
      const int family = static_cast<int>(rng() % 4);
      for (int u = 0; u < kHashCodeUnits; ++u) pos.push_back((u % 4 == family ? 4.0f : 0.0f) + normal(rng));
    }
    auto angle = [&](size_t i, size_t j) {
      double dot = 0, ni = 0, nj = 0;
      for (size_t u = 0; u < kHashCodeUnits; ++u) {
        dot += double{pos[i * kHashCodeUnits + u]} * pos[j * kHashCodeUnits + u];
        ni += double{pos[i * kHashCodeUnits + u]} * pos[i * kHashCodeUnits + u];
        nj += double{pos[j * kHashCodeUnits + u]} * pos[j * kHashCodeUnits + u];
      }
      return std::acos(std::clamp(dot / std::sqrt(ni * nj), -1.0, 1.0)) * 180 / std::numbers::pi;
    };
    for (auto [limit, max_angle] : {std::pair{0.4, kInf}, {1.5, kInf}, {kInf, kInf}, {1.5, 40.0}, {kInf, 60.0}}) {
      SCOPED_TRACE(fmt::format("trial {} limit {} angle {}", trial, limit, max_angle));
      // Reference: every image tries all 2^kBits subsets.
      std::vector<int64_t> leader_of(h.size(), -1);
      std::vector<std::pair<Hash128, size_t>> seen;  // hash of an earlier image -> the first such image
      auto find_seen = [&](const Hash128& x) -> int64_t {
        for (const auto& [y, j] : seen)
          if (y == x) return static_cast<int64_t>(j);
        return -1;
      };
      int rejected = 0;
      auto hit_leader = [&](size_t i, int64_t j) -> int64_t {
        if (j < 0) return -1;
        if (angle(i, static_cast<size_t>(j)) > max_angle) {
          ++rejected;
          return -1;
        }
        return leader_of[static_cast<size_t>(j)];
      };
      for (size_t i = 0; i < h.size(); ++i) {
        int64_t best = hit_leader(i, find_seen(h[i]));
        if (best < 0) {
          std::vector<int> order(kBits);
          std::iota(order.begin(), order.end(), 0);
          std::stable_sort(order.begin(), order.end(),
                           [&](int x, int y) { return dist[i * kBits + x] < dist[i * kBits + y]; });
          double best_cost = 0;
          for (uint32_t m = 1; m < (1u << kBits); ++m) {
            Hash128 p = h[i];
            double c = 0;
            for (int k = 0; k < kBits; ++k)
              if (m >> k & 1) {
                p = flip_bit(p, bits[i * kBits + static_cast<size_t>(order[static_cast<size_t>(k)])]);
                c += dist[i * kBits + static_cast<size_t>(order[static_cast<size_t>(k)])];
              }
            if (c > limit) continue;
            const int64_t hit = hit_leader(i, find_seen(p));
            if (hit < 0) continue;
            if (best < 0 || c < best_cost || (c == best_cost && hit < best)) {
              best = hit;
              best_cost = c;
            }
          }
        }
        leader_of[i] = best < 0 ? static_cast<int64_t>(i) : best;
        if (find_seen(h[i]) < 0) seen.emplace_back(h[i], i);
      }
      const DuplicateGroups g = group_with_probes(h, bits, dist, kBits, limit, pos, max_angle);
      std::vector<int64_t> got(h.size());
      std::iota(got.begin(), got.end(), int64_t{0});
      for (const auto& members : g.groups)
        for (int64_t m : members) got[static_cast<size_t>(m)] = members.front();
      EXPECT_EQ(got, leader_of);
      EXPECT_GT(g.groups.size(), 5u);
      if (!std::isinf(max_angle)) {
        EXPECT_GT(rejected, 100);  // the check did reject hits
      }
    }
  }
}

TEST(Hash128Test, BitOrderHexAndPopcount) {
  std::vector<float> code(128, 0.0f);
  code[0] = 0.5f;     // most significant bit of hi
  code[63] = 2.0f;    // least significant bit of hi
  code[64] = 1e-6f;   // most significant bit of lo
  code[100] = -1.0f;  // negative: off
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
}  // namespace
}  // namespace gankit
