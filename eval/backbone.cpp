// The torch-free part of backbone.h: identity strings, fingerprints, file hashes.
#include "backbone.h"

#include <fmt/format.h>

#include <fstream>
#include <vector>

#include "error.h"
#include "fnv1a.h"

namespace gankit {

std::string BackboneIdentity::describe() const {
  return fmt::format("{} ({}, {}x{}, {})", name, hash, input_size, input_size, resize);
}

std::string image_set_fingerprint(ImageSet& images) {
  const int64_t n = images.count(), samples = std::min<int64_t>(n, 64);
  uint64_t h = kFnv1aBasis;
  ImageBatch one;
  for (int64_t i = 0; i < samples; ++i) {
    images.read(samples > 1 ? i * (n - 1) / (samples - 1) : 0, 1, one);
    h = fnv1a(h, one.data.data(), one.image_bytes());
  }
  return fmt::format("N={} C={} H={} W={} h={:016x}", n, images.channels(), images.height(), images.width(), h);
}

std::string file_hash(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  GANKIT_CHECK_DATA(in.good(), "cannot read {}", path.string());
  std::vector<char> buf(1 << 20);
  uint64_t h = kFnv1aBasis;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h = fnv1a(h, buf.data(), static_cast<size_t>(in.gcount()));
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

}  // namespace gankit
