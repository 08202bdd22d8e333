// The table rank 0 builds from gathered rows (dist::GatheredRows: cells given to the
// profiles as text ids, CsvChunk::coded) equals the table a plain read of the same text
// builds: schema, codecs, codes, row model, for parts of any size, with small profile
// limits so that a numeric column switches to its bounded sample in the middle of a part
// and another turns categorical late (a second pass). No MPI: parts parsed in process.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data/table_builder.hpp"
#include "dist/range_rows.hpp"

namespace meg::test {
namespace {

std::string table_text(size_t rows) {
  std::string text = "wide,cat,late,small\n";
  for (size_t i = 0; i < rows; ++i) {
    text += std::to_string((i * 7919) % 100003) + "." + std::to_string(i % 7) + ",";
    text += "level" + std::to_string((i * 13) % 30) + ",";
    text += (i == rows - 5 ? std::string("n/a") : std::to_string((i * 31) % 997)) + ",";
    text += std::to_string(i % 5) + "\n";
  }
  return text;
}

data::BuildOptions options() {
  data::BuildOptions o;
  o.seed = 11;
  o.threads = 2;
  o.limits.exact_distinct = 50;
  o.limits.sample_rows = 64;
  o.limits.distinct_sketch = 32;
  o.row_model = true;
  return o;
}

// Rows [begin, end) of `text`'s data lines as one part (its own header, like a rank's).
dist::RankRows part(const std::string& text, size_t begin, size_t end) {
  std::vector<size_t> starts{text.find('\n') + 1};
  while (starts.back() < text.size()) starts.push_back(text.find('\n', starts.back()) + 1);
  const std::string header = text.substr(0, starts[0]);
  static std::vector<std::string> pieces;  // memory_source does not copy
  pieces.push_back(header + text.substr(starts[begin], starts[end] - starts[begin]));
  std::vector<std::string> names;
  return dist::parse_rows(data::memory_source(pieces.back()), "t.csv", begin, ',', nullptr, &names);
}

TEST(GatheredRows, BuildsThePlainReadsTable) {
  const size_t n = 3000;
  const std::string text = table_text(n);
  const data::BuiltTable plain = data::build_table(data::memory_source(text), "t.csv", options());
  ASSERT_GT(plain.reread_columns, 0u);  // the bounded sample and the late text were used
  // Parts of 0, 1, 700, 2299 rows: chunks end at the parts' ends.
  std::vector<dist::RankRows> parts;
  parts.push_back(part(text, 0, 0));
  parts.push_back(part(text, 0, 1));
  parts.push_back(part(text, 1, 701));
  parts.push_back(part(text, 701, n));
  dist::GatheredRows rows("t.csv", {"wide", "cat", "late", "small"}, std::move(parts));
  const data::BuiltTable gathered = data::build_table(rows, options());
  EXPECT_EQ(gathered.rows, plain.rows);
  EXPECT_EQ(gathered.reread_columns, plain.reread_columns);
  EXPECT_EQ(data::schema_to_json(gathered.schema).dump(),
            data::schema_to_json(plain.schema).dump());
  EXPECT_EQ(gathered.codec.to_json().dump(), plain.codec.to_json().dump());
  ASSERT_EQ(gathered.data.columns.size(), plain.data.columns.size());
  for (size_t c = 0; c < plain.data.columns.size(); ++c) {
    EXPECT_TRUE(gathered.data.columns[c] == plain.data.columns[c]) << "column " << c;
  }
}

}  // namespace
}  // namespace meg::test
