// JSON lines (lib/jsonl.h): appends that survive a torn last line, and bad lines named by number.
#include <gtest/gtest.h>

#include "error.h"
#include "jsonl.h"
#include "test_util.h"

namespace gankit {
namespace {

TEST(Jsonl, MalformedLinesAreNamedAndTornTailsCut) {
  test::TempDir t;
  const auto path = t / "m.jsonl";
  append_jsonl(path, {{"a", 1}});
  append_jsonl(path, {{"a", 2}});
  EXPECT_EQ(read_jsonl(path).size(), 2u);
  // A writer killed mid-line: the torn record is ignored, and the next append starts clean.
  test::write_bytes(path, test::read_bytes(path) + "{\"a\": 3, \"b");
  EXPECT_EQ(read_jsonl(path).size(), 2u);
  append_jsonl(path, {{"a", 4}});
  const auto records = read_jsonl(path, false);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2]["a"], 4);
  // A bad line in the middle is an error naming its number.
  test::write_bytes(path, "{\"a\": 1}\n[1, 2]\n{\"a\": 2}\n");
  try {
    read_jsonl(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m.jsonl line 2: not a JSON object"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gankit
