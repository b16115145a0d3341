// Results reports (lib/report.h): one ordered list gives the table and the JSON.
#include <gtest/gtest.h>

#include "report.h"
#include "test_util.h"

namespace gankit {
namespace {

TEST(Report, TableRightAlignsAllNumberColumnsOnly) {
  Table t({"level", "swd"});
  t.add_row({"128", "1.5"});
  t.add_row({"avg", "12.25"});
  EXPECT_EQ(t.to_string(), "level    swd\n------------\n128      1.5\navg    12.25\n");
}

// One list gives both outputs: every add() is a JSON field and a row (label and text defaulted
// from the key and value), also() is JSON only, row() is the table only.
TEST(Report, SummaryMakesTheTableAndTheJsonFromOneList) {
  Summary s;
  s.add("output", "a.h5")
      .add("images", 12, "12 of 14 rows (2 skipped)")
      .also("skipped", 2)
      .add("images_per_s", 3.5, {}, "rate")
      .add("without_face", 4)
      .row("note", "people only");
  EXPECT_EQ(
      s.json(),
      nlohmann::json({{"output", "a.h5"}, {"images", 12}, {"skipped", 2}, {"images_per_s", 3.5}, {"without_face", 4}}));
  EXPECT_EQ(s.table().to_string(),
            "field         value\n"
            "---------------------------------------\n"
            "output        a.h5\n"
            "images        12 of 14 rows (2 skipped)\n"
            "rate          3.5\n"
            "without face  4\n"
            "note          people only\n");
}

}  // namespace
}  // namespace gankit
