#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "bn/mutual_info.hpp"
#include "core/rng.hpp"
#include "helpers/kdb_sampler.hpp"

namespace meg::bn {
namespace {

// Brute-force plug-in entropy with a map, for cross-checking.
template <class Columns>
double entropy_of(const Columns& cols, std::vector<size_t> which) {
  std::map<std::vector<data::Code>, double> counts;
  const size_t n = cols[0].size();
  for (size_t r = 0; r < n; ++r) {
    std::vector<data::Code> key;
    for (size_t c : which) key.push_back(cols[c][r]);
    counts[key] += 1.0;
  }
  double h = 0.0;
  for (auto& [key, c] : counts) h -= c / n * std::log(c / n);
  return h;
}

// The entropy of a set in any column order, from one count of the set, is the one a
// pass in that order gives, bit for bit: dense (small key space) and sorted (large).
TEST(MutualInfo, EntropyInOrderIsThePassInThatOrder) {
  auto dense = testing::make_true_kdb(2).sample(3000, 5);
  data::EncodedDataset sparse;
  core::Rng rng(9);
  sparse.cardinality = {900, 900, 2};
  sparse.columns.assign(3, data::CodeColumn(900));
  for (size_t r = 0; r < 2000; ++r) {
    for (size_t c = 0; c < 3; ++c)
      sparse.columns[c].push_back(static_cast<data::Code>(rng.below(sparse.cardinality[c])));
  }
  for (const data::EncodedDataset* ds : {&dense, &sparse}) {
    std::vector<uint32_t> cols = {0, 1, 2};
    const JointCounts counts = joint_counts(*ds, cols);
    do {
      std::vector<uint32_t> cards;
      for (uint32_t c : cols) cards.push_back(ds->cardinality[c]);
      const JointEntropy pass = joint_entropy_cells(*ds, cols, cards);
      const JointEntropy from_counts = entropy_in_order(counts, cols, ds->num_rows());
      EXPECT_EQ(from_counts.h, pass.h);
      EXPECT_EQ(from_counts.cells, pass.cells);
    } while (std::next_permutation(cols.begin(), cols.end()));
  }
}

TEST(MutualInfo, MatchesBruteForceEntropies) {
  auto data = testing::make_true_kdb(2).sample(2000, 11);
  const size_t y = 3;
  auto mi = mutual_info_with_class(data, y);
  auto cmi = conditional_mutual_info(data, y, 2);
  const size_t num_cols = data.num_cols();
  for (size_t i = 0; i < num_cols; ++i) {
    if (i == y) {
      EXPECT_EQ(mi[i], 0.0);
      continue;
    }
    double expect = entropy_of(data.columns, {i}) + entropy_of(data.columns, {y}) -
                    entropy_of(data.columns, {i, y});
    EXPECT_NEAR(mi[i], expect, 1e-10);
    for (size_t j = 0; j < num_cols; ++j) {
      if (j == y || j == i) {
        EXPECT_EQ(cmi[i * num_cols + j], 0.0);
        continue;
      }
      double e = entropy_of(data.columns, {i, y}) + entropy_of(data.columns, {j, y}) -
                 entropy_of(data.columns, {i, j, y}) - entropy_of(data.columns, {y});
      EXPECT_NEAR(cmi[i * num_cols + j], std::max(0.0, e), 1e-10);
      EXPECT_EQ(cmi[i * num_cols + j], cmi[j * num_cols + i]);
    }
  }
}

TEST(MutualInfo, SparseAndDenseCountingAgree) {
  // Cardinalities large enough that the three-way table uses the sort-based path.
  core::Rng rng(5);
  std::vector<data::Code> a(300), b(300), c(300);
  for (size_t r = 0; r < 300; ++r) {
    a[r] = static_cast<data::Code>(rng.below(900));
    b[r] = static_cast<data::Code>((a[r] + rng.below(3)) % 900);
    c[r] = static_cast<data::Code>(rng.below(2));
  }
  std::vector<std::vector<data::Code>> cols = {a, b, c};
  const auto table = data::EncodedDataset::from_columns({"a", "b", "c"}, {900, 900, 2}, cols);
  double sparse = joint_entropy(table, {0, 1, 2}, {900, 900, 2});
  EXPECT_NEAR(sparse, entropy_of(cols, {0, 1, 2}), 1e-10);
  EXPECT_NEAR(joint_entropy(table, {0, 2}, {900, 2}), entropy_of(cols, {0, 2}), 1e-10);
  // The same entropies over a view of listed rows (here every row, in order).
  std::vector<data::RowIndex> rows(300);
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = static_cast<data::RowIndex>(r);
  EXPECT_EQ(joint_entropy(data::DatasetView(table, rows), {0, 1, 2}, {900, 900, 2}), sparse);
}

TEST(MutualInfo, IndependentOfThreadCount) {
  auto data = testing::make_true_kdb(1).sample(1500, 3);
  EXPECT_EQ(conditional_mutual_info(data, 3, 1), conditional_mutual_info(data, 3, 2));
}

}  // namespace
}  // namespace meg::bn
