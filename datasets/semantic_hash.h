// 128-bit image hashes and their grouping into duplicate sets (spec DATASETS.md,
// "De-duplication").
//
// Semantic hash: bit i is set when unit i of the autoencoder's 128-unit ReLU code is > 0. Exact
// hash (the baseline): a 128-bit FNV-1a of the decoded pixels (size, channels and bytes), equal
// only for pixel-identical images. Images with equal hashes form one group; grouping is one
// pass with a hash table, so linear in the number of images.
#pragma once

#include <cstdint>
#include <limits>
#include <opencv2/core.hpp>
#include <span>
#include <string>
#include <vector>

namespace gankit {

struct Hash128 {
  uint64_t hi = 0, lo = 0;  // code bits 0..63 in hi, 64..127 in lo, most significant bit first
  bool operator==(const Hash128&) const = default;
  // 32 hex digits, code bit 0 first (the most significant nibble holds bits 0..3).
  std::string to_hex() const;
  static Hash128 from_hex(const std::string& hex);  // throws Error(Data) on a malformed string
  int popcount() const;
};

// Bit i = code[i] > 0 for i < 128 (code has exactly 128 values).
Hash128 binarize_code(std::span<const float> code);

// The exact-duplicate hash of the pixels of a decoded image (any size, 1 or 3 channels).
Hash128 pixel_hash(const cv::Mat& image);
// The same over raw bytes.
Hash128 bytes_hash(std::span<const uint8_t> bytes);

struct DuplicateGroups {
  // Groups of two or more images with one hash, as positions into the hashed sequence, in
  // sequence order; groups are ordered by their first member.
  std::vector<std::vector<int64_t>> groups;
  std::vector<Hash128> group_hash;
  std::vector<char> keep;  // per position: the first of its group, or a unique image
  int64_t distinct = 0;    // images kept: different hashes (radius 0), groups and unique images
  int64_t removed() const { return static_cast<int64_t>(keep.size()) - distinct; }
};

// radius 0: images with equal hashes form a group (DCGAN's rule; an equivalence, so the result
// does not depend on the order). radius r = 1 or 2: an image joins the group, with the earliest
// first member, of an earlier image (first member or not) whose hash is within Hamming distance r
// of its own, else opens a new group; found by probing the C(128, <= r) hashes around it (129
// probes for r = 1, 8257 for r = 2), so still linear in the number of images. An image whose
// exact hash an earlier image already has joins that image's group. Throws Error(Usage) for
// another radius.
DuplicateGroups group_duplicates(std::span<const Hash128> hashes, int radius = 0);

// Multi-probe grouping by confidence (our extension, `--probe K`): the bits a small change flips
// are those whose code pre-activation is near the threshold, so instead of every hash within a
// Hamming radius, each image probes the 2^K hashes made by flipping any subset of its own K least
// confident bits (`uncertain`: K bit indices per image; `distance`: their flip distances, K per
// image, >= 0). A probe's distance is the sum of the flip distances of the bits it flips. An
// image joins the group of the earlier image (first member or not) whose hash it reaches with the
// nearest probe (ties: the group with the earliest first member), considering only probes no
// farther than `max_distance`, else opens a new group; an image whose exact hash an earlier image
// already has joins that image's group (equal hashes are never split). The probes are searched
// depth first, nearest bits first, and a branch ends where the distance passes the limit, so a
// finite limit makes a large K affordable; the search of an image stops after
// kMaxProbesPerImage probes (deterministically: depth-first order). Linear in the number of
// images. K = 1..kMaxUnlimitedProbeBits, or up to kMaxProbeBits with a finite max_distance >= 0,
// else Error(Usage).
//
// Verification (`--verify-angle A`, a finite max_angle in degrees, 0..180): a hash is a coarse
// code, so distinct images can share one, or lie a probe apart. With `position` (128 floats per
// image: its code position, the signed distance of its thumbnail to each unit's hyperplane, see
// ThumbnailHasher), an earlier image reached by a probe, or by the exact hash, counts only when
// the angle between the two images' code positions is at most A; the search goes on to the next
// nearest probe otherwise. The angle does not depend on the code's scale, which grows with
// training. An exact hash is checked against the first earlier image with that hash; with
// verification equal hashes can be split.
//
// Pixel verification (`--verify-pixels T`, a finite max_pixels in grey levels, 0..255): with
// `sketch` (kSketchBytes per image, sketch.h), a hit counts only when the two images' sketches
// are at most T grey levels apart; with both checks, a hit must pass both.
constexpr int kMaxUnlimitedProbeBits = 12;
constexpr int kMaxProbeBits = 32;
constexpr int64_t kMaxProbesPerImage = int64_t{1} << 16;
constexpr double kNoLimit = std::numeric_limits<double>::infinity();
// The K, max_distance and max_angle group_with_probes accepts (Error(Usage) naming --probe,
// --probe-distance or --verify-angle otherwise); callers check before hashing anything.
void check_probe_settings(int probe_bits, double max_distance, double max_angle = kNoLimit,
                          double max_pixels = kNoLimit);
DuplicateGroups group_with_probes(std::span<const Hash128> hashes, std::span<const uint8_t> uncertain,
                                  std::span<const float> distance, int probe_bits, double max_distance = kNoLimit,
                                  std::span<const float> position = {}, double max_angle = kNoLimit,
                                  std::span<const uint8_t> sketch = {}, double max_pixels = kNoLimit);

// The angle in degrees (0..180) between two code positions of kHashCodeUnits values (two zero
// positions: 0).
double code_angle(const float* a, const float* b);

// Per image i, the up to max_hits earlier images that the probe search of group_with_probes
// (without verification) reaches first, in out[i * max_hits ...], nearest first (ties: the
// earliest), -1 after the last: an earlier image with the same hash (distance 0), then those
// reached by probes within max_distance. The candidates from which --target-precision estimates
// how close distinct images come (dedup_thresholds.h).
std::vector<int64_t> probe_hits(std::span<const Hash128> hashes, std::span<const uint8_t> uncertain,
                                std::span<const float> distance, int probe_bits, double max_distance, size_t max_hits);

}  // namespace gankit
