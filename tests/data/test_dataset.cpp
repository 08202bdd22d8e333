#include <gtest/gtest.h>

#include <vector>

#include "data/dataset.hpp"

namespace meg::data {
namespace {

// Bytes per code of a visited span.
int visited_width(const CodeColumn& c) {
  return c.visit([](auto span) { return static_cast<int>(sizeof(span[0])); });
}

TEST(CodeColumn, WidthFollowsTheCardinality) {
  EXPECT_EQ(code_width(1), 1);
  EXPECT_EQ(code_width(256), 1);
  EXPECT_EQ(code_width(257), 2);
  EXPECT_EQ(code_width(65536), 2);
  EXPECT_EQ(code_width(65537), 4);
  for (uint64_t card : {2ull, 256ull, 257ull, 65536ull, 65537ull, 1ull << 32}) {
    CodeColumn c(card, 3);
    EXPECT_EQ(c.width(), code_width(card));
    EXPECT_EQ(visited_width(c), code_width(card));
    EXPECT_EQ(c.size(), 3u);
    EXPECT_EQ(c.bytes(), 3u * static_cast<size_t>(code_width(card)));
    c.set(2, static_cast<Code>(card - 1));
    EXPECT_EQ(c[2], card - 1);
    EXPECT_EQ(c[0], 0u);
  }
}

TEST(CodeColumn, WidensWhenACodeDoesNotFit) {
  CodeColumn c;  // no cardinality: starts at one byte
  for (Code v : {0u, 7u, 255u}) c.push_back(v);
  EXPECT_EQ(c.width(), 1);
  c.push_back(256);
  EXPECT_EQ(c.width(), 2);
  c.set(0, 70000);
  EXPECT_EQ(c.width(), 4);
  EXPECT_EQ(c.to_vector(), (std::vector<Code>{70000, 7, 255, 256}));
  CodeColumn narrow(10, std::vector<Code>{1, 2});
  narrow.append(c);  // a wider column appended widens
  EXPECT_EQ(narrow.width(), 4);
  EXPECT_EQ(narrow.to_vector(), (std::vector<Code>{1, 2, 70000, 7, 255, 256}));
  narrow.append(std::vector<Code>{3});
  EXPECT_EQ(narrow.size(), 7u);
  EXPECT_EQ(narrow[6], 3u);
  EXPECT_TRUE(CodeColumn(300, std::vector<Code>{1, 2}) == CodeColumn(3, std::vector<Code>{1, 2}));
}

TEST(CodeColumn, WritesInPlaceThroughTheNarrowType) {
  CodeColumn c(200, 5);
  c.visit_mut([](auto span) {
    using T = typename decltype(span)::value_type;
    EXPECT_EQ(sizeof(T), 1u);
    for (size_t i = 0; i < span.size(); ++i) span[i] = static_cast<T>(i * 40);
  });
  EXPECT_EQ(c.to_vector(), (std::vector<Code>{0, 40, 80, 120, 160}));
}

TEST(DatasetView, ListedRowsWithoutACopy) {
  const auto ds =
      EncodedDataset::from_columns({"a", "b"}, {3, 1000}, {{0, 1, 2, 0, 1}, {10, 500, 999, 3, 4}});
  EXPECT_EQ(ds.columns[0].width(), 1);
  EXPECT_EQ(ds.columns[1].width(), 2);
  EXPECT_EQ(ds.code_bytes(), 5u * 3u);
  const std::vector<RowIndex> rows = {1, 2, 4};
  const DatasetView view(ds, rows);
  EXPECT_FALSE(view.is_whole());
  EXPECT_EQ(view.num_rows(), 3u);
  EXPECT_EQ(view.row(2), 4u);
  EXPECT_EQ(view.code(1, 1), 999u);
  std::vector<uint32_t> scratch;
  std::vector<Code> seen;
  view.visit(1, 1, 3, scratch, [&](auto span) { seen.assign(span.begin(), span.end()); });
  EXPECT_EQ(seen, (std::vector<Code>{999, 4}));
  const DatasetView whole(ds);
  EXPECT_TRUE(whole.is_whole());
  whole.visit(0, 3, 5, scratch, [&](auto span) {
    EXPECT_EQ(sizeof(span[0]), 1u);  // the column itself, narrow
    seen.assign(span.begin(), span.end());
  });
  EXPECT_EQ(seen, (std::vector<Code>{0, 1}));
  const EncodedDataset copy = view.materialize();
  EXPECT_EQ(copy.columns[0].to_vector(), (std::vector<Code>{1, 2, 1}));
  EXPECT_EQ(copy.columns[1].to_vector(), (std::vector<Code>{500, 999, 4}));
  EXPECT_EQ(copy.columns[1].width(), 2);
  EXPECT_EQ(copy.names, ds.names);
}

// A view with a copy of some of its rows: slicing exactly those rows reads the copy in
// place (a whole view of it); any other slice, and every other read, goes through the list.
TEST(DatasetView, SliceOfTheCopiedRowsReadsTheCopy) {
  const auto ds = EncodedDataset::from_columns({"a"}, {300}, {{5, 6, 7, 8, 9, 10, 11}});
  const std::vector<RowIndex> rows = {0, 2, 3, 5, 6};
  const DatasetView listed(ds, rows);
  const EncodedDataset copy = listed.slice(1, 4).materialize();
  const DatasetView view = listed.with_copy(1, copy);
  EXPECT_EQ(view.num_rows(), 5u);
  EXPECT_EQ(view.code(0, 4), 11u);
  const DatasetView share = view.slice(1, 4);
  EXPECT_TRUE(share.is_whole());
  EXPECT_EQ(&share.data(), &copy);
  std::vector<uint32_t> scratch;
  std::vector<Code> seen;
  share.visit(0, 0, 3, scratch, [&](auto span) {
    EXPECT_EQ(sizeof(span[0]), 2u);  // the copy's own column, not gathered codes
    seen.assign(span.begin(), span.end());
  });
  EXPECT_EQ(seen, (std::vector<Code>{7, 8, 10}));
  const DatasetView other = view.slice(0, 3);
  EXPECT_FALSE(other.is_whole());
  EXPECT_EQ(&other.data(), &ds);
  other.visit(0, 0, 3, scratch, [&](auto span) { seen.assign(span.begin(), span.end()); });
  EXPECT_EQ(seen, (std::vector<Code>{5, 7, 8}));
  // A slice of a slice no longer knows the copy.
  EXPECT_FALSE(other.slice(1, 3).is_whole());
}

}  // namespace
}  // namespace meg::data
