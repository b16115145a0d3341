#include "semantic_hash.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <numeric>
#include <unordered_map>
#include <vector>

#include "error.h"
#include "hash_autoencoder_options.h"
#include "sketch.h"

namespace gankit {

namespace {

struct HashOf {
  size_t operator()(const Hash128& h) const { return static_cast<size_t>(h.hi ^ (h.lo * 0x9e3779b97f4a7c15ull)); }
};

// Groups are opened at their second member: order them by their first.
DuplicateGroups sort_groups(DuplicateGroups out) {
  std::vector<size_t> order(out.groups.size());
  for (size_t g = 0; g < order.size(); ++g) order[g] = g;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return out.groups[a][0] < out.groups[b][0]; });
  DuplicateGroups sorted;
  for (size_t g : order) {
    sorted.groups.push_back(std::move(out.groups[g]));
    sorted.group_hash.push_back(out.group_hash[g]);
  }
  sorted.keep = std::move(out.keep);
  sorted.distinct = out.distinct;
  return sorted;
}

// 128-bit FNV-1a (offset basis and prime from the FNV specification), on unsigned __int128.
struct Fnv128 {
  unsigned __int128 h = (static_cast<unsigned __int128>(0x6c62272e07bb0142ull) << 64) | 0x62b821756295c58dull;
  void add(const uint8_t* p, size_t n) {
    const unsigned __int128 prime =
        (static_cast<unsigned __int128>(0x0000000001000000ull) << 64) | 0x000000000000013Bull;
    for (size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= prime;
    }
  }
  Hash128 value() const { return {static_cast<uint64_t>(h >> 64), static_cast<uint64_t>(h)}; }
};

}  // namespace

std::string Hash128::to_hex() const { return fmt::format("{:016x}{:016x}", hi, lo); }

Hash128 Hash128::from_hex(const std::string& hex) {
  GANKIT_CHECK_DATA(hex.size() == 32 && hex.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos,
                    "'{}' is not a 128-bit hash (32 hex digits)", hex);
  return {std::stoull(hex.substr(0, 16), nullptr, 16), std::stoull(hex.substr(16), nullptr, 16)};
}

int Hash128::popcount() const { return std::popcount(hi) + std::popcount(lo); }

Hash128 binarize_code(std::span<const float> code) {
  GANKIT_CHECK(code.size() == 128, Internal, "a semantic hash needs 128 code units, got {}", code.size());
  Hash128 h;
  for (int i = 0; i < 64; ++i) {
    if (code[static_cast<size_t>(i)] > 0) h.hi |= uint64_t{1} << (63 - i);
    if (code[static_cast<size_t>(64 + i)] > 0) h.lo |= uint64_t{1} << (63 - i);
  }
  return h;
}

Hash128 pixel_hash(const cv::Mat& image) {
  Fnv128 f;
  const int32_t header[3] = {image.rows, image.cols, image.channels()};
  f.add(reinterpret_cast<const uint8_t*>(header), sizeof header);
  const size_t row_bytes = static_cast<size_t>(image.cols) * image.elemSize();
  for (int y = 0; y < image.rows; ++y) f.add(image.ptr<uint8_t>(y), row_bytes);
  return f.value();
}

Hash128 bytes_hash(std::span<const uint8_t> bytes) {
  Fnv128 f;
  f.add(bytes.data(), bytes.size());
  return f.value();
}

namespace {

Hash128 flip(Hash128 h, int bit) {
  if (bit < 64)
    h.hi ^= uint64_t{1} << (63 - bit);
  else
    h.lo ^= uint64_t{1} << (127 - bit);
  return h;
}

// Leader grouping (see the header): image i joins the group of the leader that
// `find(i, lookup, leader)` returns, or becomes a leader when it returns -1. lookup(h) is the
// first earlier image with hash h (a leader or a member), or -1, and leader(j) the leader of
// image j's group: a copy is found when it lands near any image of its original's group, not
// only near the first one. An image whose exact hash an earlier image j has joins j's group
// without a search when accept(i, j) (always, but for verification: DCGAN's rule, equal hashes
// are never split), even when `find` would now reach another group first (a leader reached
// with fewer flips may have appeared since).
template <typename Accept, typename Find>
DuplicateGroups group_by_leaders(std::span<const Hash128> hashes, Accept&& accept, Find&& find) {
  DuplicateGroups out;
  out.keep.assign(hashes.size(), 0);
  std::unordered_map<Hash128, int64_t, HashOf> first_with_hash;  // hash of an earlier image -> the first such image
  first_with_hash.reserve(hashes.size());
  auto lookup = [&](const Hash128& h) -> int64_t {
    auto it = first_with_hash.find(h);
    return it == first_with_hash.end() ? -1 : it->second;
  };
  std::vector<int64_t> leader_of(hashes.size(), -1);
  auto leader = [&](int64_t j) { return leader_of[static_cast<size_t>(j)]; };
  std::vector<int64_t> group_of_leader(hashes.size(), -1);
  for (size_t i = 0; i < hashes.size(); ++i) {
    const int64_t same = lookup(hashes[i]);
    int64_t best = same >= 0 && accept(i, same) ? leader(same) : -1;
    if (best < 0) best = find(i, lookup, leader);
    if (same < 0) first_with_hash.emplace(hashes[i], static_cast<int64_t>(i));
    if (best < 0) {
      leader_of[i] = static_cast<int64_t>(i);
      out.keep[i] = 1;
      ++out.distinct;
      continue;
    }
    leader_of[i] = best;
    int64_t& g = group_of_leader[static_cast<size_t>(best)];
    if (g < 0) {
      g = static_cast<int64_t>(out.groups.size());
      out.groups.push_back({best});
      out.group_hash.push_back(hashes[static_cast<size_t>(best)]);
    }
    out.groups[static_cast<size_t>(g)].push_back(static_cast<int64_t>(i));
  }
  return out;
}

// The earlier of two leader positions (-1: none).
int64_t earlier(int64_t a, int64_t b) { return a < 0 ? b : (b < 0 ? a : std::min(a, b)); }

}  // namespace

DuplicateGroups group_duplicates(std::span<const Hash128> hashes, int radius) {
  GANKIT_CHECK_USAGE(radius >= 0 && radius <= 2, GANKIT_SETTING("radius") " {}: expected 0, 1 or 2 (bits)", radius);
  if (radius > 0)
    return sort_groups(group_by_leaders(
        hashes, [](size_t, int64_t) { return true; },
        [&](size_t i, auto&& lookup, auto&& leader) {
          auto leader_at = [&](const Hash128& h) {
            const int64_t j = lookup(h);
            return j < 0 ? j : leader(j);
          };
          int64_t best = -1;
          for (int a = 0; a < 128; ++a) {
            const Hash128 ha = flip(hashes[i], a);
            best = earlier(best, leader_at(ha));
            if (radius >= 2)
              for (int b = a + 1; b < 128; ++b) best = earlier(best, leader_at(flip(ha, b)));
          }
          return best;
        }));
  DuplicateGroups out;
  out.keep.assign(hashes.size(), 0);
  std::unordered_map<Hash128, int64_t, HashOf> first;  // hash -> group number (-1 - position while single)
  first.reserve(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) {
    auto [it, inserted] = first.try_emplace(hashes[i], -1 - static_cast<int64_t>(i));
    if (inserted) {
      out.keep[i] = 1;
      continue;
    }
    if (it->second < 0) {  // second member: open the group
      const int64_t head = -1 - it->second;
      it->second = static_cast<int64_t>(out.groups.size());
      out.groups.push_back({head});
      out.group_hash.push_back(hashes[i]);
    }
    out.groups[static_cast<size_t>(it->second)].push_back(static_cast<int64_t>(i));
  }
  out.distinct = static_cast<int64_t>(first.size());
  return sort_groups(std::move(out));
}

void check_probe_settings(int probe_bits, double max_distance, double max_angle, double max_pixels) {
  GANKIT_CHECK_USAGE(probe_bits >= 1 && probe_bits <= kMaxProbeBits,
                     GANKIT_SETTING("probe") " {}: expected 1 to {} bits", probe_bits, kMaxProbeBits);
  GANKIT_CHECK_USAGE(max_distance >= 0, GANKIT_SETTING("probe_distance") " {} must not be negative", max_distance);
  GANKIT_CHECK_USAGE(probe_bits <= kMaxUnlimitedProbeBits || !std::isinf(max_distance),
                     GANKIT_SETTING("probe") " {} needs " GANKIT_SETTING(
                         "probe_distance") " (more than {} bits without a limit is 2^{} probes per image)",
                     probe_bits, kMaxUnlimitedProbeBits, probe_bits);
  GANKIT_CHECK_USAGE(std::isinf(max_angle) || (max_angle >= 0 && max_angle <= 180),
                     GANKIT_SETTING("verify_angle") " {}: expected 0 to 180 degrees", max_angle);
  GANKIT_CHECK_USAGE(std::isinf(max_pixels) || (max_pixels >= 0 && max_pixels <= 255),
                     GANKIT_SETTING("verify_pixels") " {}: expected 0 to 255 grey levels", max_pixels);
}

namespace {

// The length of a code position, and the cosine between two given their lengths (two zero
// positions: the same, 1): one formula for the grouping's check and code_angle().
double code_norm(const float* a) {
  double s = 0;
  for (size_t u = 0; u < kHashCodeUnits; ++u) s += double{a[u]} * a[u];
  return std::sqrt(s);
}
double code_cosine(const float* a, const float* b, double norm_a, double norm_b) {
  double dot = 0;
  for (size_t u = 0; u < kHashCodeUnits; ++u) dot += double{a[u]} * b[u];
  const double nn = norm_a * norm_b;
  return nn > 0 ? dot / nn : (norm_a == norm_b ? 1.0 : 0.0);
}

// The probe search of one image (see group_with_probes): depth first over the subsets of its
// uncertain bits, nearest bits first. A subset's distance only grows as bits are added, so a
// branch stops at the first bit that would pass the limit (the probe distance, or bound(): the
// farthest hit still wanted) and the probes looked up are those within it. Calls hit(j, cost) for
// each earlier image j reached.
class ProbeSearch {
 public:
  explicit ProbeSearch(size_t bits) : order_(bits), d_(bits) {}

  template <typename Lookup, typename Hit, typename Bound>
  void operator()(const Hash128& h, const uint8_t* bits, const float* dist, double max_distance, Lookup&& lookup,
                  Hit&& hit, Bound&& bound) {
    const size_t n = order_.size();
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(), [&](int x, int y) { return dist[x] < dist[y]; });
    for (size_t k = 0; k < n; ++k) d_[k] = dist[order_[k]];
    int64_t probes = 0;
    auto visit = [&](auto&& self, size_t from, const Hash128& p0, double cost) -> void {
      for (size_t k = from; k < n; ++k) {
        const double c = cost + d_[k];
        if (c > max_distance || c > bound()) break;  // so is every later bit
        if (++probes > kMaxProbesPerImage) return;
        const Hash128 p = flip(p0, bits[order_[k]]);
        const int64_t j = lookup(p);
        if (j >= 0) hit(j, c);
        self(self, k + 1, p, c);
      }
    };
    visit(visit, 0, h, 0.0);
  }

  // rank(j) of the accepted earlier image j reached with the nearest probe (ties: the smallest
  // rank), or -1.
  template <typename Lookup, typename Accept, typename Rank>
  int64_t nearest(const Hash128& h, const uint8_t* bits, const float* dist, double max_distance, Lookup&& lookup,
                  Accept&& accept, Rank&& rank) {
    int64_t best = -1;
    double best_cost = 0;
    (*this)(
        h, bits, dist, max_distance, lookup,
        [&](int64_t j, double c) {
          if (!accept(j)) return;
          const int64_t r = rank(j);
          if (best < 0 || c < best_cost || r < best) {
            best = r;
            best_cost = c;
          }
        },
        [&] { return best >= 0 ? best_cost : kNoLimit; });
    return best;
  }

 private:
  std::vector<int> order_;
  std::vector<double> d_;
};

// Verification of a hit: the angle between code positions and the sketches' distance.
class HitCheck {
 public:
  HitCheck(size_t images, std::span<const float> position, double max_angle, std::span<const uint8_t> sketch,
           double max_pixels)
      : position_(position), sketch_(sketch), max_pixels_(max_pixels), angle_(!std::isinf(max_angle)) {
    GANKIT_CHECK(!angle_ || position.size() == images * kHashCodeUnits, Internal,
                 "group_with_probes: {} code position values for {} hashes", position.size(), images);
    GANKIT_CHECK(std::isinf(max_pixels) || sketch.size() == images * kSketchBytes, Internal,
                 "group_with_probes: {} sketch bytes for {} hashes", sketch.size(), images);
    // angle(a, b) <= A  <=>  a.b >= cos(A) |a| |b| (cos falls on [0, 180] degrees).
    norm_.resize(angle_ ? images : 0);
    for (size_t i = 0; i < norm_.size(); ++i) norm_[i] = code_norm(position.data() + i * kHashCodeUnits);
    min_cos_ = angle_ ? std::cos(max_angle * std::numbers::pi / 180.0) : 0.0;
  }
  bool operator()(size_t i, int64_t j) const {
    if (!std::isinf(max_pixels_) &&
        sketch_distance(sketch_.data() + i * kSketchBytes, sketch_.data() + static_cast<size_t>(j) * kSketchBytes) >
            max_pixels_)
      return false;
    return !angle_ || code_cosine(position_.data() + i * kHashCodeUnits,
                                  position_.data() + static_cast<size_t>(j) * kHashCodeUnits, norm_[i],
                                  norm_[static_cast<size_t>(j)]) >= min_cos_;
  }

 private:
  std::span<const float> position_;
  std::span<const uint8_t> sketch_;
  double max_pixels_;
  bool angle_;
  std::vector<double> norm_;
  double min_cos_ = 0;
};

}  // namespace

DuplicateGroups group_with_probes(std::span<const Hash128> hashes, std::span<const uint8_t> uncertain,
                                  std::span<const float> distance, int probe_bits, double max_distance,
                                  std::span<const float> position, double max_angle, std::span<const uint8_t> sketch,
                                  double max_pixels) {
  check_probe_settings(probe_bits, max_distance, max_angle, max_pixels);
  const size_t per_image = static_cast<size_t>(probe_bits);
  GANKIT_CHECK(uncertain.size() == hashes.size() * per_image && distance.size() == uncertain.size(), Internal,
               "group_with_probes: {} uncertain bits and {} distances for {} hashes of {} bits", uncertain.size(),
               distance.size(), hashes.size(), probe_bits);
  const HitCheck check(hashes.size(), position, max_angle, sketch, max_pixels);
  ProbeSearch search(per_image);
  return sort_groups(group_by_leaders(hashes, check, [&](size_t i, auto&& lookup, auto&& leader) {
    return search.nearest(
        hashes[i], uncertain.data() + i * per_image, distance.data() + i * per_image, max_distance, lookup,
        [&](int64_t j) { return check(i, j); }, leader);
  }));
}

double code_angle(const float* a, const float* b) {
  const double cos = code_cosine(a, b, code_norm(a), code_norm(b));
  return std::acos(std::clamp(cos, -1.0, 1.0)) * 180.0 / std::numbers::pi;
}

std::vector<int64_t> probe_hits(std::span<const Hash128> hashes, std::span<const uint8_t> uncertain,
                                std::span<const float> distance, int probe_bits, double max_distance, size_t max_hits) {
  check_probe_settings(probe_bits, max_distance);
  const size_t per_image = static_cast<size_t>(probe_bits);
  GANKIT_CHECK(uncertain.size() == hashes.size() * per_image && distance.size() == uncertain.size(), Internal,
               "probe_hits: {} uncertain bits and {} distances for {} hashes of {} bits", uncertain.size(),
               distance.size(), hashes.size(), probe_bits);
  std::unordered_map<Hash128, int64_t, HashOf> first_with_hash;
  first_with_hash.reserve(hashes.size());
  auto lookup = [&](const Hash128& h) -> int64_t {
    auto it = first_with_hash.find(h);
    return it == first_with_hash.end() ? -1 : it->second;
  };
  ProbeSearch search(per_image);
  std::vector<std::pair<double, int64_t>> found;  // (distance, image), the max_hits nearest so far
  std::vector<int64_t> out(hashes.size() * max_hits, -1);
  for (size_t i = 0; i < hashes.size() && max_hits > 0; ++i) {
    found.clear();
    const int64_t same = lookup(hashes[i]);
    if (same >= 0) found.emplace_back(0.0, same);
    search(
        hashes[i], uncertain.data() + i * per_image, distance.data() + i * per_image, max_distance, lookup,
        [&](int64_t j, double c) {
          const std::pair<double, int64_t> e{c, j};
          if (found.size() == max_hits && !(e < found.back())) return;
          found.insert(std::upper_bound(found.begin(), found.end(), e), e);
          if (found.size() > max_hits) found.pop_back();
        },
        [&] { return found.size() == max_hits ? found.back().first : kNoLimit; });
    for (size_t k = 0; k < found.size(); ++k) out[i * max_hits + k] = found[k].second;
    if (same < 0) first_with_hash.emplace(hashes[i], static_cast<int64_t>(i));
  }
  return out;
}

}  // namespace gankit
