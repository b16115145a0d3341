// lib/page_advice.h: the huge-page advice lands on exactly the whole 2 MiB pages of the range, as
// the kernel's own accounting of the process's mappings (/proc/self/smaps, flag "hg") shows.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "buffer.h"
#include "page_advice.h"

namespace gankit {
namespace {

// The VmFlags of the mapping holding `address` ("" where /proc/self/smaps has none).
std::string vm_flags(std::uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= address && address < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8) + " ";
    }
  }
  return "";
}

bool advised(std::uintptr_t address) { return vm_flags(address).find(" hg ") != std::string::npos; }

TEST(PageAdvice, AdvisesTheWhole2MiBPagesInsideTheRangeAndNothingElse) {
#ifndef __linux__
  GTEST_SKIP() << "huge-page advice is Linux only";
#else
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  if (!thp || vm_flags(reinterpret_cast<std::uintptr_t>(&thp)).empty())
    GTEST_SKIP() << "no transparent huge pages or no /proc/self/smaps here";
  constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
  // 9 MiB from an address that is not 2 MiB-aligned: at least three whole huge pages inside, and
  // parts of pages at both ends.
  FloatBuffer buffer((std::size_t(9) << 20) / sizeof(float));
  const auto begin = reinterpret_cast<std::uintptr_t>(buffer.data());
  const std::uintptr_t end = begin + buffer.size() * sizeof(float);
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t last = end & ~(kHuge - 1);
  ASSERT_GE(last - first, 3 * kHuge);
  EXPECT_FALSE(advised(first)) << "advised before the call";
  advise_huge_pages(buffer.data(), end - begin);
  EXPECT_TRUE(advised(first));
  EXPECT_TRUE(advised(last - 1));
  if (begin < first) {
    EXPECT_FALSE(advised(begin)) << "the part of a page before the range's first whole one";
  }
  if (last < end) {
    EXPECT_FALSE(advised(last)) << "the part of a page after its last whole one";
  }
  // Writing and reading through the advised range is unaffected.
  for (std::size_t i = 0; i < buffer.size(); i += 1024) buffer[i] = static_cast<float>(i);
  for (std::size_t i = 0; i < buffer.size(); i += 1024) ASSERT_EQ(buffer[i], static_cast<float>(i));
  // An empty or sub-page range advises nothing and does not fail.
  advise_huge_pages(buffer.data(), 0);
  advise_huge_pages(buffer.data(), 4096);
#endif
}

}  // namespace
}  // namespace gankit
