#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "data/codec.hpp"
#include "data/numeric_codec.hpp"
#include "meg/error.hpp"

using namespace meg::data;

namespace {

const CsvTable& codec_adult() {
  static const CsvTable t = read_csv("data/adult_train.csv");
  return t;
}

std::vector<double> numbers(const std::vector<std::string>& cells) {
  std::vector<double> v;
  for (const auto& c : cells) v.push_back(*meg::core::parse_double(c));
  std::sort(v.begin(), v.end());
  return v;
}

// Two-sample Kolmogorov-Smirnov statistic of sorted samples.
double ks(const std::vector<double>& a, const std::vector<double>& b) {
  size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::fabs(double(i) / a.size() - double(j) / b.size()));
  }
  return d;
}

// Encodes the table, decodes every row once and parses the text back.
CsvTable decode_all(const TableCodec& codec, const CsvTable& table, uint64_t seed) {
  EncodedDataset ds = codec.encode(table);
  const size_t n = ds.num_rows(), d = ds.num_cols();
  std::vector<Code> rows(n * d);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < d; ++c) rows[r * d + c] = ds.columns[c][r];
  }
  std::string text;
  codec.write_header(text);
  meg::core::Rng rng(seed);
  codec.decode_rows(rows.data(), n, rng, text);
  return parse_csv(text, "decoded");
}

}  // namespace

TEST(Codec, CategoricalRoundTripIsIdentityOnAdult) {
  Schema s = infer_schema(codec_adult());
  TableCodec codec = TableCodec::fit(codec_adult(), s, 1);
  CsvTable back = decode_all(codec, codec_adult(), 2);
  for (size_t c = 0; c < s.columns.size(); ++c) {
    if (s.columns[c].type != ColumnType::Categorical) continue;
    EXPECT_EQ(back.columns[c], codec_adult().columns[c]) << s.columns[c].name;
  }
  // Sorted codes, missing last: workclass has 8 levels + '?'.
  const ColumnCodec& wc = codec.column(static_cast<size_t>(s.column_index("workclass")));
  EXPECT_EQ(wc.cardinality(), 9u);
  EXPECT_EQ(wc.missing_code(), 8);
  EXPECT_EQ(wc.encode("Federal-gov"), 0u);
  EXPECT_EQ(wc.encode("?"), 8u);
  EXPECT_EQ(wc.encode("Astronaut"), 8u);  // unseen -> missing code
  // Numeric levels sort numerically: education_num "1" < "2" < ... < "16".
  const ColumnCodec& en = codec.column(static_cast<size_t>(s.column_index("education_num")));
  EXPECT_EQ(en.encode("1"), 0u);
  EXPECT_EQ(en.encode("2"), 1u);
  EXPECT_EQ(en.encode("16"), 15u);
  // A column without missing values maps unseen text to its most frequent level.
  const ColumnCodec& sex = codec.column(static_cast<size_t>(s.column_index("sex")));
  EXPECT_EQ(sex.missing_code(), -1);
  EXPECT_EQ(sex.label(sex.encode("Other")), "Male");
}

TEST(Codec, NumericDecodeKeepsRangeIntegernessPointMassesAndDistribution) {
  for (auto disc : {DiscretizerKind::Quantile, DiscretizerKind::Dpgmm}) {
    Schema s = infer_schema(codec_adult());
    for (auto& c : s.columns) c.discretizer = disc;
    TableCodec codec = TableCodec::fit(codec_adult(), s, 3);
    CsvTable back = decode_all(codec, codec_adult(), 4);
    for (const char* name : {"age", "fnlwgt", "capital_gain", "capital_loss", "hours_per_week"}) {
      size_t c = static_cast<size_t>(s.column_index(name));
      std::vector<double> real = numbers(codec_adult().columns[c]);
      std::vector<double> syn = numbers(back.columns[c]);
      EXPECT_GE(syn.front(), real.front()) << name;
      EXPECT_LE(syn.back(), real.back()) << name;
      for (const auto& cell : back.columns[c]) {
        ASSERT_EQ(cell.find('.'), std::string::npos) << name << " " << cell;
      }
      // Bound: KS <= 0.02 between decoded and original values (one decode of every row).
      EXPECT_LE(ks(real, syn), 0.02) << name << " " << to_string(disc);
      if (std::string(name) == "capital_gain" || std::string(name) == "capital_loss") {
        // The point mass at 0 is reproduced exactly: every row encoded as "0" decodes to "0".
        for (size_t r = 0; r < back.num_rows(); ++r) {
          if (codec_adult().columns[c][r] == "0") {
            ASSERT_EQ(back.columns[c][r], "0") << name;
          }
        }
      }
    }
  }
}

TEST(Codec, QuantileBinsIsolatePointMasses) {
  // 0 holds 90% of rows: its own bin; the rest split by frequency.
  std::vector<double> v{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::vector<uint64_t> n{900, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
  auto b = quantile_bins(v, n, 5);
  EXPECT_EQ(b[0], 0u);
  for (size_t i = 1; i < v.size(); ++i) EXPECT_GE(b[i], 1u);
  EXPECT_EQ(b.back(), 4u);  // 1 point-mass bin + 4 frequency bins
  for (size_t i = 1; i < v.size(); ++i) EXPECT_LE(b[i - 1], b[i]);
  // A single value: one bin.
  EXPECT_EQ(quantile_bins({5.0}, {3}, 20), (std::vector<uint32_t>{0}));
}

TEST(Codec, ContinuousColumnsKeepTheirDecimalsAndUniformDecodeStaysInBins) {
  std::string text = "x,m\n";
  meg::core::Rng rng(9);
  for (int i = 0; i < 500; ++i) {
    text += fmt::format("{:.2f},{}\n", 10.0 + 5.0 * rng.uniform(), i % 10 == 0 ? "NA" : "1");
  }
  CsvTable t = parse_csv(text, "c.csv");
  Schema s = infer_schema(t);
  ASSERT_EQ(s.columns[0].type, ColumnType::Continuous);
  for (auto decode : {NumericDecode::Empirical, NumericDecode::Uniform}) {
    s.columns[0].decode = decode;
    TableCodec codec = TableCodec::fit(t, s, 5);
    CsvTable back = decode_all(codec, t, 6);
    for (size_t r = 0; r < back.num_rows(); ++r) {
      const std::string& cell = back.columns[0][r];
      ASSERT_EQ(cell.size() - cell.find('.') - 1, 2u) << cell;
      double x = *meg::core::parse_double(cell);
      ASSERT_GE(x, 10.0);
      ASSERT_LE(x, 15.0);
      // Decoding stays in the value's own bin.
      ASSERT_EQ(codec.column(0).encode(cell), codec.column(0).encode(t.columns[0][r]));
    }
    EXPECT_LE(ks(numbers(t.columns[0]), numbers(back.columns[0])), 0.1);
  }
}

TEST(Codec, MissingNumericCellsRoundTripWithTheirToken) {
  std::string text = "v\n";
  for (int i = 0; i < 100; ++i) text += (i % 4 == 0) ? "?\n" : std::to_string(i * 7) + "\n";
  CsvTable t = parse_csv(text, "m.csv");
  Schema s = infer_schema(t);
  ASSERT_EQ(s.columns[0].type, ColumnType::Integer);
  ASSERT_EQ(s.columns[0].missing, 25u);
  TableCodec codec = TableCodec::fit(t, s, 1);
  const ColumnCodec& c = codec.column(0);
  ASSERT_GE(c.missing_code(), 0);
  EXPECT_EQ(c.encode("?"), static_cast<Code>(c.missing_code()));
  EXPECT_EQ(c.encode("NA"), static_cast<Code>(c.missing_code()));     // any configured token
  EXPECT_EQ(c.encode("hello"), static_cast<Code>(c.missing_code()));  // unparsable -> unknown
  EXPECT_EQ(c.encode("-1e9"), c.encode("7"));  // out of range -> nearest value's bin
  CsvTable back = decode_all(codec, t, 2);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    EXPECT_EQ(back.columns[0][r] == "?", t.columns[0][r] == "?");
  }
}

TEST(Codec, SerialisationGivesIdenticalDecoding) {
  Schema s = infer_schema(codec_adult());
  s.columns[static_cast<size_t>(s.column_index("age"))].discretizer = DiscretizerKind::Dpgmm;
  TableCodec codec = TableCodec::fit(codec_adult(), s, 7);
  nlohmann::json j = codec.to_json();
  auto bytes = nlohmann::json::to_cbor(j);
  TableCodec loaded = TableCodec::from_json(nlohmann::json::from_cbor(bytes));
  EXPECT_EQ(loaded.cardinalities(), codec.cardinalities());
  CsvTable a = decode_all(codec, codec_adult(), 11);
  CsvTable b = decode_all(loaded, codec_adult(), 11);
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_EQ(loaded.to_json(), j);
}

TEST(Codec, TypeOverrideOnTextColumnNamesLineAndColumn) {
  CsvTable t = parse_csv("a,b\n1,x\n2,y\n", "t.csv");
  Schema s = infer_schema(t);
  s.columns[1].type = ColumnType::Integer;
  try {
    TableCodec::fit(t, s, 0);
    FAIL();
  } catch (const meg::DataError& e) {
    EXPECT_STREQ(e.what(),
                 "t.csv:2:2: column 'b': 'x' is not a finite number (schema type integer)");
  }
}

TEST(Codec, EncodeChecksColumns) {
  Schema s = infer_schema(codec_adult());
  TableCodec codec = TableCodec::fit(codec_adult(), s, 1);
  CsvTable other = parse_csv("age,foo\n1,2\n", "o.csv");
  EXPECT_THROW(codec.encode(other), meg::DataError);
  // Test data with unseen levels encodes without error.
  CsvTable test = read_csv("data/adult_test.csv");
  EncodedDataset ds = codec.encode(test);
  EXPECT_EQ(ds.num_rows(), 16281u);
  for (size_t c = 0; c < ds.num_cols(); ++c) {
    for (Code v : ds.columns[c].to_vector()) ASSERT_LT(v, ds.cardinality[c]);
  }
}
