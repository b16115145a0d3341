// SpillFile (lib/spill_file.h): an unlinked temporary file, written and read by offset; no name
// left in the temp folder; no file (nullptr) without a temp folder; a failed write names what was
// being kept and where.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cstring>

#include "spill_file.h"
#include "test_util.h"

namespace gankit {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

TEST(SpillFile, ReadsBackWhatWasWrittenAtAnyOffsetAndLeavesNoName) {
  TempDir dir;
  const test::TempDirAt tmp(dir / "tmp");
  auto file = SpillFile::create();
  ASSERT_TRUE(file);
  EXPECT_TRUE(fs::is_empty(dir / "tmp"));
  EXPECT_TRUE(test::has_open_file_in(dir / "tmp"));
  const ByteBuffer a = test::random_bytes(3 << 20, 1), b = test::random_bytes(1000, 2);
  file->write(a.data(), a.size(), 0, "a");
  file->write(b.data(), b.size(), 5 << 20, "b");  // past the end: the gap reads as zeros
  ByteBuffer back(a.size());
  file->read(back.data(), back.size(), 0);
  EXPECT_EQ(back, a);
  back.assign(b.size(), 0);
  file->read(back.data(), back.size(), 5 << 20);
  EXPECT_EQ(back, b);
  back.assign(16, 1);
  file->read(back.data(), back.size(), 4 << 20);
  EXPECT_EQ(back, ByteBuffer(16, 0));
  EXPECT_THROW(file->read(back.data(), back.size(), 6 << 20), Error);  // never written
  file.reset();
  EXPECT_FALSE(test::has_open_file_in(dir / "tmp"));
}

TEST(SpillFile, IsNoneWithoutATempFolder) {
  TempDir dir;
  {
    const test::TempDirAt tmp(dir / "tmp");
    EXPECT_GT(SpillFile::available(), 0);
  }
  const test::ScopedEnv env("TMPDIR", (dir / "missing").string());
  EXPECT_EQ(SpillFile::create(), nullptr);
  EXPECT_EQ(SpillFile::available(), -1);
}

TEST(SpillFile, AFailedWriteNamesWhatWasKeptAndWhere) {
  // A 1 MiB file size limit stands in for a full disk: the second MiB of a write fails.
  TempDir dir;
  const test::TempDirAt tmp(dir / "tmp");
  auto file = SpillFile::create();
  ASSERT_TRUE(file);
  const ByteBuffer bytes = test::random_bytes(2 << 20, 3);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit small = old;
  small.rlim_cur = 1 << 20;
  const auto handler = std::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of the signal
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  ErrorKind kind{};
  const std::string message =
      test::error_of([&] { file->write(bytes.data(), bytes.size(), 0, "the test's images"); }, &kind);
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, handler);
  EXPECT_EQ(kind, ErrorKind::Data);
  EXPECT_NE(message.find("cannot keep the test's images in a temporary file in " + (dir / "tmp").string()),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("EFBIG"), std::string::npos) << message;
}

}  // namespace
}  // namespace gankit
