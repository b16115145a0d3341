// Large buffers without zero-filling: std::vector with an allocator whose resize default-
// initialises (leaves trivial values unset). Image batches and metric work buffers run to
// hundreds of MB that are always written before they are read; zero-filling them first cost
// as much as loading or computing them. Buffers of 8 MiB and more are aligned to 2 MiB and
// asked to be backed by transparent huge pages (Linux, THP in "madvise" mode as Debian ships
// it): touching them then costs one page fault per 2 MiB instead of per 4 KiB, and the
// scattered accesses of the metrics miss the TLB far less.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace gankit {

namespace detail {
constexpr std::size_t kHugePage = std::size_t(2) << 20;
constexpr std::size_t kHugeFrom = std::size_t(8) << 20;
inline void* allocate_large(std::size_t bytes) {
  if (bytes < kHugeFrom) return ::operator new(bytes);
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without THP it is a no-op
#endif
  return p;
}
inline void free_large(void* p, std::size_t bytes) noexcept {
  if (bytes < kHugeFrom)
    ::operator delete(p);
  else
    std::free(p);
}
}  // namespace detail

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
  T* allocate(std::size_t n) { return static_cast<T*>(detail::allocate_large(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { detail::free_large(p, n * sizeof(T)); }
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
