// Column roles (docs/data.md, "Column roles"): date/time patterns, role inference on both
// schema paths, overrides, the date/time and id codecs, and their model round trip.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "data/codec.hpp"
#include "data/column_roles.hpp"
#include "data/csv.hpp"
#include "data/datetime_format.hpp"
#include "data/id_codec.hpp"
#include "data/table_builder.hpp"
#include "meg/error.hpp"

using namespace meg::data;

namespace {

std::string round_trip(const std::string& pattern, const std::string& text) {
  const TimePattern p = TimePattern::compile(pattern, "test");
  int offset = 0;
  const auto v = p.parse(text, &offset);
  EXPECT_TRUE(v.has_value()) << pattern << " " << text;
  std::string out;
  p.format(v.value_or(0), offset, out);
  return out;
}

// A CSV of n rows: a text id, a dense integer id, a sparse integer measurement, a float
// measurement (all distinct), a timestamp, a date, a time, a category.
std::string roles_table(size_t n) {
  meg::core::Rng rng(7);
  std::string csv = "cust,seq,amount,ratio,stamp,day,clock,kind\n";
  for (size_t i = 0; i < n; ++i) {
    const int64_t s = 1551398400 + static_cast<int64_t>(rng.below(31 * 86400));
    std::string stamp, day, clock;
    TimePattern::compile("%Y-%m-%dT%H:%M:%S%:z", "t").format(static_cast<double>(s), 60, stamp);
    TimePattern::compile("%d/%m/%Y", "t").format(static_cast<double>(s), 0, day);
    TimePattern::compile("%H:%M", "t").format(static_cast<double>(s % 86400 / 60 * 60), 0, clock);
    csv += fmt::format("CU-{:06d}x,{},{},{},{},{},{},{}\n", 300000 + i * 13, 5000 + i,
                       rng.below(400) * 37 + 3, 0.001 * static_cast<double>(i) + rng.uniform(),
                       stamp, day, clock, i % 3 == 0 ? "a" : "b");
  }
  return csv;
}

BuiltTable build(const std::string& text, const std::string& schema_json = "") {
  BuildOptions o;
  o.encode = true;
  o.seed = 5;
  nlohmann::json overrides;
  if (!schema_json.empty()) {
    overrides = nlohmann::json::parse(schema_json);
    o.overrides = [overrides](const Schema& s) {
      return apply_schema_overrides(s, overrides, "schema.json");
    };
  }
  return build_table(memory_source(text), "t.csv", o);
}

}  // namespace

TEST(TimePattern, FormatsRoundTripTheirText) {
  EXPECT_EQ(round_trip("%Y-%m-%d %H:%M:%S", "2019-03-23 20:21:09"), "2019-03-23 20:21:09");
  EXPECT_EQ(round_trip("%Y-%m-%dT%H:%M:%S.%3fZ", "2019-03-23T20:21:09.042Z"),
            "2019-03-23T20:21:09.042Z");
  EXPECT_EQ(round_trip("%Y-%m-%dT%H:%M:%S%:z", "2019-03-23T00:21:09+05:30"),
            "2019-03-23T00:21:09+05:30");
  EXPECT_EQ(round_trip("%Y-%m-%dT%H:%M%z", "1969-12-31T23:59-0800"), "1969-12-31T23:59-0800");
  EXPECT_EQ(round_trip("%d/%m/%Y", "29/02/2020"), "29/02/2020");
  EXPECT_EQ(round_trip("%-m/%-d/%Y %-H:%M", "3/7/2019 8:05"), "3/7/2019 8:05");
  EXPECT_EQ(round_trip("%d.%m.%Y", "01.01.1900"), "01.01.1900");
  EXPECT_EQ(round_trip("%H:%M:%S.%1f", "23:59:59.5"), "23:59:59.5");
  EXPECT_EQ(round_trip("%s", "1553372469"), "1553372469");
}

TEST(TimePattern, ValuesAreSecondsAndOffsetsAreSubtracted) {
  const TimePattern p = TimePattern::compile("%Y-%m-%dT%H:%M:%S%:z", "t");
  EXPECT_EQ(*p.parse("1970-01-01T01:00:00+01:00"), 0.0);
  EXPECT_EQ(*p.parse("2000-03-01T00:00:00+00:00"), 951868800.0);
  EXPECT_FALSE(p.parse("2019-02-29T00:00:00+00:00"));  // not a leap year
  EXPECT_FALSE(p.parse("2019-03-01T24:00:00+00:00"));
  EXPECT_FALSE(p.parse("2019-03-01 00:00:00+00:00"));
  EXPECT_EQ(*TimePattern::compile("%H:%M", "t").parse("01:30"), 5400.0);
  EXPECT_EQ(TimePattern::compile("%Y-%m-%d", "t").unit(), 86400.0);
}

TEST(TimePattern, BadPatternsAreRefusedByName) {
  for (const char* bad : {"%Y-%m", "%Q", "%H:%M%", "%s %Y", "%Y-%m-%d %H", "%S"}) {
    try {
      TimePattern::compile(bad, "schema.json: column 'x'");
      ADD_FAILURE() << bad;
    } catch (const meg::DataError& e) {
      EXPECT_NE(std::string(e.what()).find("schema.json: column 'x'"), std::string::npos);
    }
  }
}

TEST(TimePattern, InferenceDecidesDayOrMonthFirstFromTheData) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(infer_time_pattern(V{"01/02/2020", "13/02/2020"}), "%d/%m/%Y");
  EXPECT_EQ(infer_time_pattern(V{"01/02/2020", "02/13/2020"}), "%m/%d/%Y");
  EXPECT_EQ(infer_time_pattern(V{"01/02/2020", "02/03/2020"}), "%m/%d/%Y");  // undecided
  EXPECT_EQ(infer_time_pattern(V{"3/7/2019", "12/25/2019"}), "%-m/%-d/%Y");
  EXPECT_EQ(infer_time_pattern(V{"2019-03-23T20:21:09.5Z"}), "%Y-%m-%dT%H:%M:%S.%1fZ");
  EXPECT_EQ(infer_time_pattern(V{"2019-03-23 20:21:09 +01:00"}), "%Y-%m-%d %H:%M:%S %:z");
  EXPECT_EQ(infer_time_pattern(V{"20:21", "07:05"}), "%H:%M");
  EXPECT_FALSE(infer_time_pattern(V{"13/02/2020", "02/13/2020"}));  // both orders
  EXPECT_FALSE(infer_time_pattern(V{"2019-03-23", "23/03/2019"}));  // two forms
  EXPECT_FALSE(infer_time_pattern(V{"1553372469", "1553372470"}));  // epoch: only declared
  EXPECT_FALSE(infer_time_pattern(V{"1.5", "2.25"}));
  EXPECT_FALSE(infer_time_pattern(V{"12:75"}));
}

TEST(ColumnRoles, BothSchemaPathsInferTheSameRoles) {
  const std::string csv = roles_table(800);
  const Schema memory = infer_schema(parse_csv(csv, "t.csv"));
  const Schema streamed = build(csv).schema;
  EXPECT_EQ(schema_to_json(memory).dump(), schema_to_json(streamed).dump());
  auto type = [&](const char* name) { return memory.columns[memory.column_index(name)].type; };
  EXPECT_EQ(type("cust"), ColumnType::Id);
  EXPECT_EQ(type("seq"), ColumnType::Id);
  EXPECT_EQ(type("amount"), ColumnType::Integer);    // repeats: a measurement
  EXPECT_EQ(type("ratio"), ColumnType::Continuous);  // all distinct, but fractions
  EXPECT_EQ(type("stamp"), ColumnType::Datetime);
  EXPECT_EQ(type("day"), ColumnType::Date);
  EXPECT_EQ(type("clock"), ColumnType::Time);
  EXPECT_EQ(type("kind"), ColumnType::Categorical);
  EXPECT_EQ(memory.columns[memory.column_index("stamp")].format, "%Y-%m-%dT%H:%M:%S%:z");
  EXPECT_EQ(memory.columns[memory.column_index("day")].format, "%d/%m/%Y");
  EXPECT_EQ(memory.columns[memory.column_index("stamp")].decode, NumericDecode::Jitter);
}

TEST(ColumnRoles, FewRowsOrSparseVaryingIntegersAreNotIds) {
  const Schema small = infer_schema(parse_csv(roles_table(300), "t.csv"));
  EXPECT_EQ(small.columns[small.column_index("seq")].type, ColumnType::Integer);
  EXPECT_EQ(small.columns[small.column_index("cust")].type, ColumnType::Categorical);
  ColumnFacts facts;  // all distinct integers of varying length over a sparse range
  std::vector<std::string> texts;
  for (int i = 0; i < 600; ++i) texts.push_back(std::to_string(17 + i * i * 31));
  for (const auto& t : texts) facts.texts.push_back(t);
  facts.present = texts.size();
  facts.all_numbers = facts.all_integers = true;
  EXPECT_FALSE(looks_like_ids(facts, InferOptions{}));
}

TEST(ColumnRoles, SchemaFileOverridesEachRole) {
  std::string csv = "n,stamp,code\n";
  for (int i = 0; i < 60; ++i) {
    csv += fmt::format("{},{},{}\n", 1553372469 + i * 97, 1553372469 + i * 91, i % 7);
  }
  const BuiltTable t = build(csv, R"({"columns": [
      {"name": "n", "type": "id"},
      {"name": "stamp", "type": "datetime", "format": "%s"},
      {"name": "code", "type": "categorical"}]})");
  EXPECT_EQ(t.schema.columns[0].type, ColumnType::Id);
  EXPECT_EQ(t.schema.columns[1].type, ColumnType::Datetime);
  EXPECT_EQ(t.schema.columns[1].decode, NumericDecode::Jitter);
  EXPECT_EQ(t.codec.column(0).cardinality(), 1u);  // not modelled
  meg::core::Rng rng(1);
  std::string v;
  t.codec.column(1).decode(t.codec.column(1).encode("1553372469"), rng, v);
  EXPECT_GE(std::stoll(v), 1553372469);

  // Back to categorical: a date column inferred as one.
  std::string dates = "d\n";
  for (int i = 1; i <= 28; ++i) dates += fmt::format("2020-02-{:02d}\n", i);
  EXPECT_EQ(build(dates).schema.columns[0].type, ColumnType::Date);
  EXPECT_EQ(
      build(dates, R"({"columns": [{"name": "d", "type": "categorical"}]})").schema.columns[0].type,
      ColumnType::Categorical);
  // A format that does not fit the type, and a pattern error, name the file and column.
  EXPECT_THROW(build(dates, R"({"columns": [{"name": "d", "type": "time", "format": "%Y"}]})"),
               meg::DataError);
}

TEST(ColumnRoles, BadCellInADeclaredDateColumnNamesLineAndColumn) {
  const std::string csv = "a,d\n1,2020-01-02\n2,2020-01-03\n3,2020-13-01\n";
  try {
    build(csv, R"({"columns": [{"name": "d", "type": "date", "format": "%Y-%m-%d"}]})");
    FAIL();
  } catch (const meg::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("t.csv:4:2: column 'd': '2020-13-01'"), std::string::npos)
        << e.what();
  }
  // Without a format: values of no single form are refused when the codec is fitted.
  EXPECT_THROW(
      build("d\n2020-01-02\n03/01/2020\n", R"({"columns": [{"name": "d", "type": "date"}]})"),
      meg::DataError);
}

class DatetimeDecode : public ::testing::TestWithParam<const char*> {};

TEST_P(DatetimeDecode, DrawsVaryInsideTheRangeAndKeepTheFormat) {
  const std::string csv = roles_table(800);
  const BuiltTable t = build(
      csv, fmt::format(R"({{"columns": [{{"name": "stamp", "decode": "{}"}}]}})", GetParam()));
  const size_t c = static_cast<size_t>(t.schema.column_index("stamp"));
  const CsvTable table = parse_csv(csv, "t.csv");
  std::set<std::string> real(table.columns[c].begin(), table.columns[c].end());
  const TimePattern p = TimePattern::compile(t.schema.columns[c].format, "t");
  double lo = 1e300, hi = -1e300;
  for (const auto& r : real) lo = std::min(lo, *p.parse(r)), hi = std::max(hi, *p.parse(r));
  meg::core::Rng rng(3);
  size_t copies = 0;
  std::set<std::string> drawn;
  for (Code code = 0; code < t.codec.column(c).cardinality(); ++code) {
    for (int k = 0; k < 200; ++k) {
      std::string s;
      t.codec.column(c).decode(code, rng, s);
      const auto v = p.parse(s);
      ASSERT_TRUE(v) << s;
      EXPECT_GE(*v, lo);
      EXPECT_LE(*v, hi);
      EXPECT_EQ(s.substr(19), "+01:00");  // the column's offset
      copies += real.count(s);
      drawn.insert(s);
    }
  }
  EXPECT_LT(copies, 40u);  // ~800 of 2.7M seconds are real: a copy is rare
  EXPECT_GT(drawn.size(), 3000u);
  // The model file gives the same draws.
  const TableCodec loaded = TableCodec::from_json(t.codec.to_json());
  meg::core::Rng r1(8), r2(8);
  for (Code code = 0; code < t.codec.column(c).cardinality(); ++code) {
    std::string a, b;
    t.codec.column(c).decode(code, r1, a);
    loaded.column(c).decode(code, r2, b);
    EXPECT_EQ(a, b);
  }
}

INSTANTIATE_TEST_SUITE_P(Decodes, DatetimeDecode, ::testing::Values("jitter", "uniform"));

TEST(DatetimeCodec, JitterKeepsTheHourOfDayProfile) {
  // Trips at 08:00-09:00 and 18:00-19:00 only, over a month: a jittered draw stays near a
  // training value, so nearly every hour drawn is one of those (uniform in 20 bins would
  // spread them over the day).
  meg::core::Rng rng(3);
  std::string csv = "t\n";
  for (int i = 0; i < 2000; ++i) {
    const int64_t day = static_cast<int64_t>(rng.below(30));
    const int64_t hour = rng.below(2) ? 8 : 18;
    const auto s = 1551398400 + day * 86400 + hour * 3600 + static_cast<int64_t>(rng.below(3600));
    std::string text;
    TimePattern::compile("%Y-%m-%d %H:%M:%S", "t").format(static_cast<double>(s), 0, text);
    csv += text + "\n";
  }
  const BuiltTable t = build(csv);
  size_t in_hours = 0, n = 0;
  for (Code code = 0; code < t.codec.column(0).cardinality(); ++code) {
    for (int k = 0; k < 100; ++k, ++n) {
      std::string s;
      t.codec.column(0).decode(code, rng, s);
      const std::string hour = s.substr(11, 2);
      in_hours += hour == "08" || hour == "18";
    }
  }
  EXPECT_GT(in_hours, n * 9 / 10);
}

TEST(IdCodec, FreshUniqueIdsOfTheSameShapeNeverReal) {
  std::vector<std::string> real;
  for (int i = 0; i < 3000; ++i) real.push_back(fmt::format("CU-{:06d}x", 300000 + i * 13));
  std::vector<std::string_view> views(real.begin(), real.end());
  ColumnSchema cs;
  cs.name = "cust";
  cs.type = ColumnType::Id;
  cs.missing_tokens = {""};
  const auto codec = fit_id_codec(views, {0}, cs, 9);
  const std::set<std::string> real_set(real.begin(), real.end());
  std::set<std::string> seen;
  meg::core::Rng rng(1);
  for (uint64_t row = 0; row < 20000; ++row) {
    std::string s;
    codec->decode_row(0, row, rng, s);
    ASSERT_EQ(s.size(), 10u);
    EXPECT_EQ(s.substr(0, 3), "CU-");
    EXPECT_EQ(s.back(), 'x');
    for (size_t i = 3; i < 9; ++i) EXPECT_TRUE(s[i] >= '0' && s[i] <= '9') << s;
    EXPECT_FALSE(real_set.count(s)) << s;
    EXPECT_TRUE(seen.insert(s).second) << s;
  }
  // Row r's id depends on r only, and survives the model file.
  const auto loaded = column_codec_from_json(codec->to_json());
  for (uint64_t row : {0ull, 17ull, 19999ull}) {
    std::string a, b;
    codec->decode_row(0, row, rng, a);
    loaded->decode_row(0, row, rng, b);
    EXPECT_EQ(a, b);
  }
}

TEST(IdCodec, DenseIntegerIdsStayIntegersAndRunOutClearly) {
  std::vector<std::string> real;
  for (int i = 1; i <= 1000; ++i) real.push_back(std::to_string(i));
  std::vector<std::string_view> views(real.begin(), real.end());
  const IdShape shape = id_shape(views);
  EXPECT_TRUE(shape.integer);
  EXPECT_EQ(shape.lo, 1);
  EXPECT_EQ(shape.size, 64000u);  // room for 64x the ids
  ColumnSchema cs;
  cs.name = "n";
  cs.missing_tokens = {"NA"};
  const auto codec = fit_id_codec(views, {5}, cs, 2);
  EXPECT_EQ(codec->cardinality(), 2u);  // present / missing
  EXPECT_EQ(codec->encode("NA"), 1u);
  meg::core::Rng rng(1);
  std::set<long> seen;
  for (uint64_t row = 0; row < 63000; ++row) {  // exactly the fresh ones
    std::string s;
    codec->decode_row(0, row, rng, s);
    const long v = std::stol(s);
    EXPECT_GT(v, 1000);
    EXPECT_LE(v, 64000);
    EXPECT_TRUE(seen.insert(v).second);
  }
  std::string s;
  EXPECT_THROW(codec->decode_row(0, 63000, rng, s), meg::DataError);
  codec->decode_row(1, 5, rng, s);
  EXPECT_EQ(s, "NA");
}

TEST(ColumnRoles, CodecsRoundTripThroughTheModelJson) {
  const BuiltTable t = build(roles_table(800));
  const TableCodec loaded = TableCodec::from_json(t.codec.to_json());
  EXPECT_EQ(schema_to_json(loaded.schema()).dump(), schema_to_json(t.schema).dump());
  std::vector<Code> codes;
  for (size_t r = 0; r < 50; ++r) {
    for (size_t c = 0; c < t.codec.num_cols(); ++c) codes.push_back(t.data.columns[c][r]);
  }
  std::string a, b;
  meg::core::Rng ra(4), rb(4);
  t.codec.decode_rows(codes.data(), 50, ra, a, 1000);
  loaded.decode_rows(codes.data(), 50, rb, b, 1000);
  EXPECT_EQ(a, b);
  // A sampled row reads back with the same codes for every role column.
  const CsvTable back = parse_csv("cust,seq,amount,ratio,stamp,day,clock,kind\n" + a, "s.csv");
  EXPECT_EQ(back.num_rows(), 50u);
}

TEST(TimePattern, TwelveHourClocksMonthNamesAndTwoDigitYears) {
  EXPECT_EQ(round_trip("%m/%d/%Y %I:%M %p", "03/23/2019 12:05 AM"), "03/23/2019 12:05 AM");
  EXPECT_EQ(round_trip("%-I:%M:%S%P", "12:00:01pm"), "12:00:01pm");
  EXPECT_EQ(round_trip("%d %b %Y", "07 Dec 2026"), "07 Dec 2026");
  EXPECT_EQ(round_trip("%B %-d, %Y", "September 9, 1999"), "September 9, 1999");
  EXPECT_EQ(round_trip("%d-%b-%y", "01-Jan-68"), "01-Jan-68");
  EXPECT_EQ(round_trip("%-m/%-d/%y", "2/29/00"), "2/29/00");
  // Values: 12 AM is midnight, 12 PM noon; two-digit years 69-99 are 19xx, 00-68 20xx.
  const TimePattern clock = TimePattern::compile("%I:%M %p", "t");
  EXPECT_EQ(*clock.parse("12:00 AM"), 0.0);
  EXPECT_EQ(*clock.parse("12:30 PM"), 45000.0);
  EXPECT_EQ(*clock.parse("01:00 PM"), 46800.0);
  EXPECT_FALSE(clock.parse("13:00 PM"));
  EXPECT_FALSE(clock.parse("00:10 AM"));
  EXPECT_FALSE(clock.parse("10:10 am"));  // %p is upper case, %P lower
  const TimePattern year = TimePattern::compile("%y-%m-%d", "t");
  EXPECT_EQ(*year.parse("70-01-01"), 0.0);
  EXPECT_EQ(*year.parse("69-12-31"), -86400.0);
  EXPECT_EQ(*year.parse("00-03-01"), 951868800.0);
  EXPECT_FALSE(TimePattern::compile("%d %b %Y", "t").parse("07 DEC 2026"));
  for (const char* bad : {"%I:%M", "%H:%M %p", "%y %Y-%m-%d", "%b-%m-%d-%Y", "%I:%M %p %P"}) {
    EXPECT_THROW(TimePattern::compile(bad, "t"), meg::DataError) << bad;
  }
}

TEST(TimePattern, InferenceReadsTwelveHourClocksMonthNamesAndTwoDigitYears) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(infer_time_pattern(V{"3/7/2019 8:05 PM", "12/25/2019 11:59 AM"}),
            "%-m/%-d/%Y %-I:%M %p");
  EXPECT_EQ(infer_time_pattern(V{"07 Dec 2026", "30 Jan 2025"}), "%d %b %Y");
  EXPECT_EQ(infer_time_pattern(V{"Dec 7, 2026", "Jan 30, 2025"}), "%b %-d, %Y");
  EXPECT_EQ(infer_time_pattern(V{"March 3 2020 10:00", "May 31 2021 23:15"}), "%B %-d %Y %H:%M");
  EXPECT_EQ(infer_time_pattern(V{"01/02/20", "13/02/99"}), "%d/%m/%y");
  EXPECT_EQ(infer_time_pattern(V{"07-Dec-26", "30-Jan-25"}), "%d-%b-%y");
  EXPECT_EQ(infer_time_pattern(V{"9:30 am", "12:15 pm"}), "%-I:%M %P");
  EXPECT_FALSE(infer_time_pattern(V{"Dec 7, 2026", "Decimal"}));
  EXPECT_FALSE(infer_time_pattern(V{"May", "June"}));
  EXPECT_FALSE(infer_time_pattern(V{"3 bedrooms", "4 bedrooms"}));
}
