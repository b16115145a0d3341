// Large buffers without zero-filling: std::vector with an allocator whose resize default-
// initialises (leaves trivial values unset). Image batches and metric work buffers run to
// hundreds of MB that are always written before they are read; zero-filling them first cost
// as much as loading or computing them.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace gankit {

template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() noexcept = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept(noexcept(::new (static_cast<void*>(p)) U)) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using ByteBuffer = std::vector<uint8_t, DefaultInitAllocator<uint8_t>>;
using FloatBuffer = std::vector<float, DefaultInitAllocator<float>>;

}  // namespace gankit
