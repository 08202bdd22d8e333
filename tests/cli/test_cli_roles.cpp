// Column roles end to end (docs/data.md "Column roles"): a trips table with a text id and
// two timestamps is fitted by default; sampled ids are fresh, unique and the same at any
// thread count; sampled timestamps keep the format and the range; `meg evaluate` leaves the
// id out and reads timestamps as numbers.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"

using namespace meg::test;
namespace fs = std::filesystem;

namespace {

const std::string kTrips = "tests/data/fixtures/trips_small.csv";

bool is_stamp(const std::string& s) {  // YYYY-MM-DD HH:MM:SS
  if (s.size() != 19) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char want = i == 4 || i == 7 ? '-' : i == 10 ? ' ' : i == 13 || i == 16 ? ':' : '0';
    if (want == '0' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != want) return false;
  }
  return true;
}

}  // namespace

TEST(CliRoles, SchemaShowsTheRoles) {
  auto dir = scratch_dir("roles_schema");
  auto r = run_meg("schema " + kTrips, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("name": "trip_id",
      "type": "id")"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(R"("type": "datetime",
      "format": "%Y-%m-%d %H:%M:%S")"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(CliRoles, FitAndSampleGiveFreshIdsAndTimestampsInFormat) {
  auto dir = scratch_dir("roles_fit");
  const std::string model = (dir / "t.meg").string();
  auto fit = run_meg("fit " + kTrips + " -o " + model + " --seed 2 --quiet", dir);
  ASSERT_EQ(fit.code, 0) << fit.err;
  const std::string s1 = (dir / "s1.csv").string(), s2 = (dir / "s2.csv").string();
  // Two chunks' worth of rows, so ids of different chunks must differ too.
  ASSERT_EQ(run_meg("sample " + model + " -n 70000 -o " + s1 + " --seed 5 --threads 1", dir).code,
            0);
  ASSERT_EQ(run_meg("sample " + model + " -n 70000 -o " + s2 + " --seed 5 --threads 2", dir).code,
            0);
  const std::string text = slurp(s1);
  EXPECT_TRUE(text == slurp(s2));
  const auto real = rows_of(slurp(kTrips));
  std::set<std::string> real_ids, real_pickups;
  std::string lo = "9", hi = "0";
  for (const auto& r : real) {
    real_ids.insert(r[0]);
    real_pickups.insert(r[1]);
    lo = std::min(lo, r[1]);
    hi = std::max(hi, r[1]);
  }
  std::set<std::string> ids;
  size_t copies = 0;
  const auto rows = rows_of(text);
  ASSERT_EQ(rows.size(), 70000u);
  for (const auto& r : rows) {
    ASSERT_EQ(r[0].size(), 8u);
    EXPECT_EQ(r[0][0], 'T');
    EXPECT_FALSE(real_ids.count(r[0])) << r[0];
    EXPECT_TRUE(ids.insert(r[0]).second) << r[0];
    ASSERT_TRUE(is_stamp(r[1])) << r[1];
    ASSERT_TRUE(is_stamp(r[2])) << r[2];
    EXPECT_GE(r[1], lo);  // the text order is the time order in this format
    EXPECT_LE(r[1], hi);
    // Every real trip ends at or after its start: a learned order, kept in every row.
    EXPECT_LE(r[1], r[2]);
    copies += real_pickups.count(r[1]);
  }
  const auto described = run_meg("inspect " + model, dir);
  EXPECT_NE(described.out.find("pickup <= dropoff  (learned"), std::string::npos) << described.out;
  // 600 real seconds in a month: a uniform draw hits one about 0.02% of the time.
  EXPECT_LT(copies, 100u);
  // A condition on an id column is refused by name.
  auto cond = run_meg(
      "sample " + model + " -n 5 -o " + (dir / "c.csv").string() + " --where trip_id=T0100000",
      dir);
  EXPECT_EQ(cond.code, 2);
  EXPECT_NE(cond.err.find("id column"), std::string::npos) << cond.err;
  // A range condition on a timestamp, in the column's own format.
  const std::string s3 = (dir / "s3.csv").string();
  auto ranged = run_meg("sample " + model + " -n 200 -o " + s3 +
                            " --where 'pickup=2019-03-10 00:00:00..2019-03-12 00:00:00'",
                        dir);
  ASSERT_EQ(ranged.code, 0) << ranged.err;
  for (const auto& r : rows_of(slurp(s3))) {
    EXPECT_GE(r[1], "2019-03-10 00:00:00");
    EXPECT_LE(r[1], "2019-03-12 00:00:00");
  }
  fs::remove_all(dir);
}

TEST(CliRoles, PrivateFitRefusesRoleColumnsByName) {
  auto dir = scratch_dir("roles_dp");
  const std::string schema = (dir / "s.json").string();
  { std::ofstream(schema) << R"({"columns": [{"name": "trip_id", "type": "id"}]})"; }
  auto r = run_meg(
      "fit " + kTrips + " -o " + (dir / "m.meg").string() + " --epsilon 1 --schema " + schema, dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("column 'trip_id' has type id"), std::string::npos) << r.err;
  fs::remove_all(dir);
}
