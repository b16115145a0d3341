// Large buffers without zero-filling: std::vector with an allocator whose resize default-
// initialises (leaves trivial values unset). Image batches and metric work buffers run to
// hundreds of MB that are always written before they are read; zero-filling them first cost
// as much as loading or computing them.
//
// No transparent-huge-page advice (MADV_HUGEPAGE): buffers of 8 MiB and more used to ask for it,
// which cost more than it saved on the 2-core development VM (THP "madvise" mode, as Debian
// ships it): SWD at 4096 images took 12.0-13.0 s with it against 11.5-11.6 s without (system
// time 3.0-3.5 s of zeroing 2 MiB pages the VM had to find, against 0.9 s), and import and
// training were the same either way (docs/results.md). Where THP is "always" the kernel still
// backs them with huge pages. The few buffers that are streamed through many times ask for them
// themselves (page_advice.h: SWD's projections).
#pragma once

#include <cstdint>
#include <memory>
#include <new>
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
