// Column profiles made on consecutive parts of a table and merged
// (data::ColumnProfile::take_part, as dist/merged_profiles.hpp merges the ranks'
// profiles) give the table a plain read builds: schema, codecs, codes and row model,
// for a mixed table (an id, integers, decimals, categories, date/times, missing
// tokens, a column whose first text comes late) cut into skewed parts (empty, one row,
// most of the table). A merge that one pass would not finish in exact mode (a numeric
// column past the exact bound, over the parts or within one) is refused. Under mpirun
// (DistMerged): the mixed table read by byte ranges and as skewed shards, and with a
// schema file, gives the plain fit's model bytes, through the merged profiles.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "data/table_builder.hpp"
#include "dist/range_rows.hpp"
#include "mpi_runner.hpp"

namespace meg::test {
namespace {

using Profiles = std::vector<std::unique_ptr<data::ColumnProfile>>;

std::string mixed_text(size_t rows) {
  std::string text = "id,age,price,colour,when,late,score\n";
  for (size_t i = 0; i < rows; ++i) {
    text += fmt::format("C{:06d},", (i * 7919) % 1000003);
    text += i % 17 == 3 ? "," : std::to_string(18 + (i * 13) % 60) + ",";
    text += fmt::format("{}.{:02d},", (i * 31) % 500, (i * 7) % 100);
    text += i % 23 == 5 ? "?," : std::string(i % 3 == 0 ? "red," : i % 3 == 1 ? "green," : "blue,");
    text += fmt::format("2024-{:02d}-{:02d} {:02d}:{:02d}:00,", 1 + i % 12, 1 + (i * 5) % 28,
                        (i * 3) % 24, (i * 11) % 60);
    text += i + 40 == rows ? "unknown," : std::to_string((i * 3) % 40) + ",";
    text += std::to_string((i * 17) % 9) + "\n";
  }
  return text;
}

data::BuildOptions options() {
  data::BuildOptions o;
  o.seed = 5;
  o.threads = 2;
  o.row_model = true;
  return o;
}

// Rows [begin, end) of `text`'s data lines as one part (its own header, like a rank's).
dist::RankRows part(const std::string& text, size_t begin, size_t end) {
  std::vector<size_t> starts{text.find('\n') + 1};
  while (starts.back() < text.size()) starts.push_back(text.find('\n', starts.back()) + 1);
  static std::vector<std::string> pieces;  // memory_source does not copy
  pieces.push_back(text.substr(0, starts[0]) +
                   text.substr(starts[begin], starts[end] - starts[begin]));
  std::vector<std::string> names;
  return dist::parse_rows(data::memory_source(pieces.back()), "t.csv", begin, ',', nullptr, &names);
}

std::vector<std::string> header_of(const std::string& text) {
  std::vector<std::string> names;
  (void)dist::parse_rows(data::memory_source(text.substr(0, text.find('\n') + 1)), "t.csv", 0, ',',
                         nullptr, &names);
  return names;
}

// Each part profiled on its own, then merged as the ranks merge them; nullptr when a
// part's profile or the merge is refused.
std::unique_ptr<Profiles> merged_profiles(const std::string& text, const std::vector<size_t>& cuts,
                                          const data::BuildOptions& o) {
  const std::vector<std::string> header = header_of(text);
  std::vector<Profiles> locals;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    std::vector<dist::RankRows> parts;
    parts.push_back(part(text, cuts[i], cuts[i + 1]));
    dist::GatheredRows rows("t.csv", header, std::move(parts));
    locals.push_back(data::profile_rows(rows, o));
  }
  auto merged = std::make_unique<Profiles>();
  for (const auto& plan : data::column_plans("t.csv", header, o)) {
    merged->push_back(std::make_unique<data::ColumnProfile>(plan));
  }
  std::vector<std::vector<std::vector<uint32_t>>> ids(locals.size());
  for (size_t p = 0; p < locals.size(); ++p) {
    ids[p].resize(header.size());
    for (size_t c = 0; c < header.size(); ++c) {
      if (!locals[p][c]->mergeable()) return nullptr;
      if (!(*merged)[c]->take_part(locals[p][c]->part(), &ids[p][c])) return nullptr;
    }
  }
  for (size_t p = 0; p < locals.size(); ++p) {
    for (size_t c = 0; c < header.size(); ++c) {
      (*merged)[c]->append_codes(locals[p][c]->mapped_codes(ids[p][c], (*merged)[c]->texts()));
    }
  }
  return merged;
}

void expect_same_table(const data::BuiltTable& got, const data::BuiltTable& plain) {
  EXPECT_EQ(got.rows, plain.rows);
  EXPECT_EQ(data::schema_to_json(got.schema).dump(), data::schema_to_json(plain.schema).dump());
  EXPECT_EQ(got.codec.to_json().dump(), plain.codec.to_json().dump());
  ASSERT_EQ(got.data.columns.size(), plain.data.columns.size());
  for (size_t c = 0; c < plain.data.columns.size(); ++c) {
    EXPECT_TRUE(got.data.columns[c] == plain.data.columns[c]) << "column " << c;
  }
}

TEST(MergedProfiles, SkewedPartsGiveThePlainReadsTable) {
  const size_t n = 2000;
  const std::string text = mixed_text(n);
  const data::BuiltTable plain = data::build_table(data::memory_source(text), "t.csv", options());
  ASSERT_EQ(plain.reread_columns, 0u);
  // The roles and types the merge must reproduce.
  const std::string schema = data::schema_to_json(plain.schema).dump();
  EXPECT_NE(schema.find("\"id\""), std::string::npos) << schema;
  EXPECT_NE(schema.find("datetime"), std::string::npos) << schema;
  EXPECT_NE(schema.find("continuous"), std::string::npos) << schema;
  for (const std::vector<size_t>& cuts : {std::vector<size_t>{0, n},
                                          {0, 0, 1, 3, n},
                                          {0, n - 45, n - 39, n},
                                          {0, 1, n - 1, n, n},
                                          {0, 700, 1400, n}}) {
    SCOPED_TRACE(testing::Message() << cuts.size() - 1 << " parts, the second from " << cuts[1]);
    std::unique_ptr<Profiles> merged = merged_profiles(text, cuts, options());
    ASSERT_TRUE(merged);
    expect_same_table(
        data::build_from_profiles("t.csv", header_of(text), std::move(*merged), options()), plain);
  }
}

// A numeric column of 60 distinct values with an exact bound of 50: one pass samples it,
// so the merge is refused, whether each part stays below the bound or one passes it.
TEST(MergedProfiles, RefusedWhereOnePassWouldSample) {
  std::string text = "x,y\n";
  for (int i = 0; i < 120; ++i) text += fmt::format("{},{}\n", i % 60, i % 3);
  data::BuildOptions o = options();
  o.limits.exact_distinct = 50;
  o.limits.sample_rows = 64;
  o.limits.distinct_sketch = 32;
  EXPECT_FALSE(merged_profiles(text, {0, 30, 60, 120}, o));  // 30 distinct a part, 60 merged
  EXPECT_FALSE(merged_profiles(text, {0, 55, 120}, o));      // the second part samples
  EXPECT_TRUE(merged_profiles(text, {0, 30, 45}, o));        // 45 distinct: exact
}

TEST(DistMerged, MixedTableAndSkewedShardsGiveThePlainModel) {
  namespace fs = std::filesystem;
  const fs::path dir = scratch_dir("dist_merged");
  const size_t n = 1500;
  const std::string text = mixed_text(n);
  write(dir / "t.csv", text);
  // Shards of 1, 0, 3 and n - 4 rows: by bytes, the first ranks get the few rows.
  std::vector<size_t> starts{text.find('\n') + 1};
  while (starts.back() < text.size()) starts.push_back(text.find('\n', starts.back()) + 1);
  const std::string header = text.substr(0, starts[0]);
  std::string list;
  const std::vector<size_t> cuts{0, 1, 1, 4, n};
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    const fs::path shard = dir / fmt::format("s{}.csv", i);
    write(shard, header + text.substr(starts[cuts[i]], starts[cuts[i + 1]] - starts[cuts[i]]));
    list += shard.string() + "\n";
  }
  write(dir / "list.txt", list);
  const std::string fit = " --threads 1 --seed 3 -o " + (dir / "m.meg").string();
  ASSERT_EQ(run_meg("fit " + (dir / "t.csv").string() + " -q" + fit, dir).code, 0);
  const std::string plain = slurp((dir / "m.meg").string());
  for (int np : {2, 3}) {
    for (const std::string& input :
         {(dir / "t.csv").string(), "--shard-list " + (dir / "list.txt").string()}) {
      SCOPED_TRACE(testing::Message() << np << " ranks, " << input);
      fs::remove(dir / "m.meg");
      const RunResult r = run_mpi(np, "fit " + input + fit, dir);
      ASSERT_EQ(r.code, 0) << r.err;
      EXPECT_TRUE(slurp((dir / "m.meg").string()) == plain) << "the model differs";
      EXPECT_NE(r.err.find("of merged profiles and codes allgathered"), std::string::npos) << r.err;
    }
  }
  // With a schema file: its overrides reach the ranks' profiles and the merged build.
  write(
      dir / "s.json",
      R"({"columns": [{"name": "age", "type": "integer"}, {"name": "score", "type": "integer"}]})");
  const std::string with_schema = fit + " --schema " + (dir / "s.json").string();
  ASSERT_EQ(run_meg("fit " + (dir / "t.csv").string() + " -q" + with_schema, dir).code, 0);
  const std::string declared = slurp((dir / "m.meg").string());
  EXPECT_FALSE(declared == plain);  // the schema changed the model
  for (int np : {2, 3}) {
    SCOPED_TRACE(testing::Message() << np << " ranks, with a schema file");
    fs::remove(dir / "m.meg");
    const RunResult r = run_mpi(np, "fit " + (dir / "t.csv").string() + with_schema, dir);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(slurp((dir / "m.meg").string()) == declared) << "the model differs";
    EXPECT_NE(r.err.find("of merged profiles and codes allgathered"), std::string::npos) << r.err;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meg::test
