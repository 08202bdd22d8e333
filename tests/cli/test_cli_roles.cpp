// Column roles end to end (docs/data.md "Column roles"): a trips table with a text id and
// two timestamps is fitted by default; sampled ids are fresh, unique and the same at any
// thread count; sampled timestamps keep the format and the range; `meg evaluate` leaves the
// id out and reads timestamps as numbers.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

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

// A date written with a comma ("Dec 7, 2026") and a 12-hour clock with a two-digit year:
// inferred, fitted, and sampled back as quoted CSV fields of the same shape.
TEST(CliRoles, DatesWithCommasAndTwelveHourClocksComeBackQuotedInTheirFormat) {
  auto dir = scratch_dir("roles_comma_dates");
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string text = "when,day,amount\n";
  for (int i = 0; i < 1500; ++i) {
    const int m = i % 12, d = 1 + i / 12 % 28, h = 1 + i * 5 % 12, mi = i * 13 % 60;
    text += fmt::format("{:02}/{:02}/21 {:02}:{:02} {},\"{} {}, 2021\",{}\n", m + 1, d, h, mi,
                        i % 3 ? "PM" : "AM", kMonths[m], d, i % 97);
  }
  write_bytes(dir / "dates.csv", text);
  const std::string csv = (dir / "dates.csv").string(), model = (dir / "m.meg").string(),
                    out = (dir / "s.csv").string();
  auto schema = run_meg("schema " + csv, dir);
  ASSERT_EQ(schema.code, 0) << schema.err;
  EXPECT_NE(schema.out.find(R"("format": "%m/%d/%y %I:%M %p")"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find(R"("format": "%b %-d, %Y")"), std::string::npos) << schema.out;
  ASSERT_EQ(run_meg("fit " + csv + " -o " + model + " --quiet", dir).code, 0);
  ASSERT_EQ(run_meg("sample " + model + " -n 500 -o " + out + " --seed 3", dir).code, 0);
  // Fields split at commas outside quotes, the quotes removed (no field holds a quote).
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(out));
  for (std::string line; std::getline(in, line);) {
    rows.emplace_back(1);
    bool quoted = false;
    for (char ch : line) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        rows.back().emplace_back();
      } else {
        rows.back().back().push_back(ch);
      }
    }
  }
  ASSERT_EQ(rows.size(), 501u);
  for (size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), 3u);
    const std::string& when = rows[r][0];
    ASSERT_EQ(when.size(), 17u) << when;
    EXPECT_TRUE(when.ends_with(" AM") || when.ends_with(" PM")) << when;
    EXPECT_TRUE(when.substr(6, 2) == "21") << when;
    const std::string& day = rows[r][1];
    EXPECT_TRUE(day.ends_with(", 2021")) << day;
  }
}
