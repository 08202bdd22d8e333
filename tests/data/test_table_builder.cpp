// The streaming path from a CSV file to schema, codecs and codes: the same
// result for any block size, chunk size and thread count; the same as the
// in-memory path (infer_schema + TableCodec::fit + encode) while columns stay
// exact; sampled and re-read columns; declared types refused in reading order.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/json_blob.hpp"
#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/numeric_codec.hpp"
#include "data/table_builder.hpp"
#include "helpers/pipe_feeder.hpp"
#include "meg/error.hpp"

using meg::data::BuildOptions;
using meg::data::BuiltTable;
using meg::data::ColumnType;
using meg::data::Schema;

namespace {

// A seeded table with every kind of column: text levels, a few small integers
// (categorical), integers, decimals with missing cells, values that repeat a lot
// (a point mass), a column of numbers that ends with a text (re-read), and
// quoted fields with delimiters and newlines.
std::string random_table(uint64_t seed, size_t rows) {
  meg::core::Rng rng(seed);
  std::string t = "city,small,count,price,zeros,late_text,note\n";
  static const char* kCities[] = {"Zürich", "東京", "Paris", "Lima", "Oslo"};
  for (size_t r = 0; r < rows; ++r) {
    t += kCities[rng.below(5)];
    t += ',' + std::to_string(rng.below(6));
    t += ',' + std::to_string(static_cast<int64_t>(rng.below(5000)) - 100);
    if (rng.below(10) == 0) {
      t += rng.below(2) ? ",?" : ",";
    } else {
      t += ',' + std::to_string(rng.below(100000) / 100) + '.' + std::to_string(rng.below(90) + 10);
    }
    t += ',';
    t += rng.below(3) ? std::string("0") : std::to_string(rng.below(1000));
    t += ',';
    t += r + 3 == rows ? std::string("n/a") : std::to_string(rng.below(300));
    t += rng.below(4) == 0 ? ",\"a, \"\"b\"\"\nc\"" : ",plain";
    t += rng.below(5) == 0 ? "\r\n" : "\n";
  }
  return t;
}

BuiltTable build(const std::string& text, BuildOptions o) {
  return meg::data::build_table(meg::data::memory_source(text), "t.csv", o);
}

// Everything a build gives, as text, to compare builds.
std::string fingerprint(const BuiltTable& b) {
  std::string out = meg::data::schema_to_json(b.schema).dump() + b.codec.to_json().dump();
  out += std::to_string(b.rows) + "|";
  for (const auto& col : b.data.columns) {
    for (auto code : col.to_vector()) out += std::to_string(code) + ",";
    out += "|";
  }
  return out;
}

}  // namespace

TEST(TableBuilder, SameAsTheInMemoryPath) {
  const std::string text = random_table(1, 3000);
  BuildOptions o;
  o.seed = 7;
  const BuiltTable b = build(text, o);
  const auto table = meg::data::parse_csv(text, "t.csv");
  const Schema schema = meg::data::infer_schema(table);
  EXPECT_EQ(meg::data::schema_to_json(b.schema).dump(), meg::data::schema_to_json(schema).dump());
  const auto codec = meg::data::TableCodec::fit(table, schema, 7);
  EXPECT_EQ(b.codec.to_json().dump(), codec.to_json().dump());
  const auto codes = codec.encode(table);
  EXPECT_EQ(b.data.columns, codes.columns);
  EXPECT_EQ(b.data.cardinality, codes.cardinality);
  EXPECT_EQ(b.rows, 3000u);
  // The late text made 'late_text' categorical after its texts were dropped? Not with the
  // default bound (300 distinct numbers stay exact): one pass.
  EXPECT_EQ(b.reread_columns, 0u);
  EXPECT_EQ(b.schema.columns[5].type, ColumnType::Categorical);
  EXPECT_EQ(b.schema.columns[1].type, ColumnType::Categorical);  // 6 small integers
  EXPECT_EQ(b.schema.columns[2].type, ColumnType::Integer);
  EXPECT_EQ(b.schema.columns[3].type, ColumnType::Continuous);
}

TEST(TableBuilder, AnyBlockChunkOrThreadCountGivesTheSameResult) {
  // Small bounds, so some columns are sampled and one is re-read.
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const std::string text = random_table(seed, 400 + 150 * seed);
    BuildOptions o;
    o.seed = seed;
    o.limits.exact_distinct = 64;
    o.limits.sample_rows = 100;
    o.limits.distinct_sketch = 32;
    o.read.block_bytes = 1 << 20;
    o.read.chunk_rows = 1 << 16;
    o.threads = 1;
    const BuiltTable want = build(text, o);
    EXPECT_GT(want.reread_columns, 0u);
    const std::string expected = fingerprint(want);
    // (block bytes, chunk rows): every block size meets several chunk sizes.
    const std::pair<size_t, size_t> sizes[] = {{1, 1000}, {1, 5},     {7, 33},   {7, 1},
                                               {64, 5},   {64, 1000}, {4096, 1}, {4096, 33}};
    for (const auto& [block, rows] : sizes) {
      o.read.block_bytes = block;
      o.read.chunk_rows = rows;
      o.threads = static_cast<int>(1 + (block + rows) % 2);
      ASSERT_EQ(fingerprint(build(text, o)), expected)
          << "seed " << seed << " block " << block << " chunk rows " << rows;
    }
  }
}

TEST(TableBuilder, AColumnPastTheExactBoundIsSampledAndEncodedByASecondPass) {
  std::string text = "id,x,y\n";
  meg::core::Rng rng(3);
  for (int r = 0; r < 5000; ++r) {
    text += std::to_string(r) + "," + std::to_string(rng.below(1000000)) + ".5," +
            std::to_string(r % 3) + "\n";
  }
  BuildOptions o;
  o.limits.exact_distinct = 200;
  o.limits.sample_rows = 500;
  o.limits.distinct_sketch = 256;
  const BuiltTable b = build(text, o);
  EXPECT_EQ(b.schema.columns[0].type, ColumnType::Integer);
  EXPECT_EQ(b.schema.columns[1].type, ColumnType::Continuous);
  EXPECT_EQ(b.reread_columns, 2u);  // id and x are encoded by the second pass
  // The distinct counts are estimates beyond the bound: within 20% at k = 256.
  EXPECT_NEAR(static_cast<double>(b.schema.columns[0].distinct), 5000.0, 1000.0);
  EXPECT_NEAR(static_cast<double>(b.schema.columns[1].distinct), 4990.0, 1000.0);
  EXPECT_EQ(b.schema.columns[2].distinct, 3u);  // exact
  // The codec keeps at most the sample's rows; every row's code is its text's code.
  const auto j = b.codec.column(0).to_json();
  EXPECT_LE(meg::core::unpack_array<double>(j.at("values"), "values").size(), 500u);
  const auto table = meg::data::parse_csv(text, "t.csv");
  for (size_t c = 0; c < 3; ++c) {
    for (size_t r = 0; r < 5000; ++r) {
      ASSERT_EQ(b.data.columns[c][r], b.codec.column(c).encode(table.columns[c][r]));
    }
  }
  // The quantile bins from the sample are close to equal-frequency on all rows.
  std::vector<size_t> per_bin(b.codec.column(0).cardinality(), 0);
  for (auto code : b.data.columns[0].to_vector()) ++per_bin[code];
  for (size_t n : per_bin) EXPECT_NEAR(static_cast<double>(n), 250.0, 80.0);
}

TEST(TableBuilder, NumbersThenATextIsReReadAsCategoricalWithEveryLevel) {
  std::string text = "n,k\n";
  for (int r = 0; r < 1000; ++r) text += std::to_string(r * 7) + "," + std::to_string(r % 2) + "\n";
  text += "unknown,1\n";
  BuildOptions o;
  o.limits.exact_distinct = 100;
  const BuiltTable b = build(text, o);
  EXPECT_EQ(b.reread_columns, 1u);
  EXPECT_EQ(b.schema.columns[0].type, ColumnType::Categorical);
  EXPECT_EQ(b.schema.columns[0].distinct, 1001u);
  EXPECT_EQ(b.codec.column(0).cardinality(), 1001u);
  EXPECT_EQ(b.codec.column(0).label(b.data.columns[0][1000]), "unknown");
  EXPECT_EQ(b.codec.column(0).label(b.data.columns[0][3]), "21");
  // Without codes (`meg schema`) the second pass is still made for the levels.
  o.encode = false;
  const BuiltTable s = build(text, o);
  EXPECT_TRUE(s.data.columns.empty());
  EXPECT_EQ(s.codec.column(0).cardinality(), 1001u);
}

TEST(TableBuilder, ADeclaredTypeRefusesACellAtOnceInReadingOrder) {
  // Row 5 (line 6) has text in 'b' (column 2) and row 3 (line 4) a fraction in 'c'
  // (column 3): the earlier row is reported, whatever the chunking.
  std::string text = "a,b,c\n";
  for (int r = 1; r <= 8; ++r) {
    text += std::to_string(r) + "," + (r == 5 ? "x" : std::to_string(r)) + "," +
            (r == 3 ? "1.5" : std::to_string(r)) + "\n";
  }
  for (size_t rows : {1, 2, 4, 100}) {
    BuildOptions o;
    o.read.chunk_rows = rows;
    o.overrides = [](const Schema& s) {
      Schema out = s;
      out.columns[1].type = ColumnType::Continuous;
      out.columns[2].type = ColumnType::Integer;
      return out;
    };
    try {
      build(text, o);
      FAIL() << "no error";
    } catch (const meg::DataError& e) {
      EXPECT_STREQ(e.what(),
                   "t.csv:4:3: column 'c': '1.5' is not an integer (schema type integer)");
    }
  }
}

TEST(TableBuilder, OverriddenTokensAndTypesApplyDuringThePass) {
  std::string text = "zip,v\n";
  for (int r = 0; r < 500; ++r) {
    text += std::to_string(10000 + r) + "," + (r % 10 == 0 ? "-999" : std::to_string(r)) + "\n";
  }
  BuildOptions o;
  o.limits.exact_distinct = 50;
  o.overrides = [](const Schema& s) {
    Schema out = s;
    out.columns[0].type = ColumnType::Categorical;  // zip codes are levels
    out.columns[1].missing_tokens = {"-999"};
    return out;
  };
  const BuiltTable b = build(text, o);
  EXPECT_EQ(b.reread_columns, 1u);  // v is sampled; zip stays exact (declared categorical)
  EXPECT_EQ(b.codec.column(0).cardinality(), 500u);
  EXPECT_EQ(b.codec.column(1).missing_code() >= 0, true);
  EXPECT_EQ(b.data.columns[1][0], static_cast<meg::data::Code>(b.codec.column(1).missing_code()));
  // Inference still saw -999 as a value (its facts use the default tokens).
  EXPECT_EQ(b.schema.columns[1].missing, 0u);
}

TEST(TableBuilder, APipeWithAReReadColumnIsSpooled) {
  std::string text = "n,k\n";
  for (int r = 0; r < 3000; ++r) text += std::to_string(r) + "," + std::to_string(r % 3) + "\n";
  text += "text,1\n";
  meg::test::PipeFeeder pipe(text);
  BuildOptions o;
  o.limits.exact_distinct = 100;
  o.read.block_bytes = 512;
  const BuiltTable b = meg::data::build_table(pipe.path(), o);
  EXPECT_EQ(b.reread_columns, 1u);
  EXPECT_EQ(b.rows, 3001u);
  EXPECT_EQ(b.codec.column(0).cardinality(), 3001u);
}

TEST(TableBuilder, OnHeaderRunsBeforeAnyRowIsRead) {
  // A file whose second row is broken: the header check fails first.
  BuildOptions o;
  o.on_header = [](const std::string& source, const std::vector<std::string>& header) {
    throw meg::InvalidArgument(source + ": " + std::to_string(header.size()) + " columns");
  };
  try {
    build("a,b\n1,2\n\"broken\n", o);
    FAIL();
  } catch (const meg::InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "t.csv: 2 columns");
  }
}

TEST(TableBuilder, ProgressReportsRowsAndBytesUpToTheTotal) {
  const std::string text = random_table(9, 5000);
  BuildOptions o;
  o.read.chunk_rows = 512;
  std::vector<meg::Progress> events;
  o.progress = [&](const meg::Progress& p) { events.push_back(p); };
  const BuiltTable b = build(text, o);
  ASSERT_GE(events.size(), 9u);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].stage, "read");
    EXPECT_EQ(events[i].bytes_total, text.size());
    if (i > 0) {
      EXPECT_GT(events[i].rows, events[i - 1].rows);
      EXPECT_GE(events[i].bytes, events[i - 1].bytes);
    }
  }
  EXPECT_EQ(events.back().rows, b.rows);
  EXPECT_EQ(events.back().bytes, text.size());
  // A callback that throws (a cancelled fit) stops the reading with its error.
  o.progress = [](const meg::Progress&) { throw meg::Cancelled("stop"); };
  EXPECT_THROW(build(text, o), meg::Cancelled);
}
