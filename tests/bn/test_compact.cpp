// The compact parameter store (class_blocks.hpp): only (configuration, class) pairs seen
// in training are stored, the rest back off at lookup. Checked against the dense
// smoothing formula computed here from raw counts, independently of the layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "bn/cpt.hpp"
#include "bn/kdb_model.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

// Class with 20 values and four 5-valued features, 120 rows: most (pi, c) pairs of the
// two-parent configurations are never seen, as with binned numeric class columns.
data::EncodedDataset sparse_table(uint64_t seed) {
  const size_t n = 120;
  std::vector<std::vector<data::Code>> cols(5, std::vector<data::Code>(n));
  core::Rng rng(seed);
  for (size_t row = 0; row < n; ++row) {
    const auto y = static_cast<data::Code>(rng.below(20));
    auto noisy = [&](uint32_t v) { return rng.below(4) == 0 ? rng.below(5) : v % 5; };
    const auto a = static_cast<data::Code>(noisy(y));
    const auto b = static_cast<data::Code>(noisy(a + y / 4));
    const auto c = static_cast<data::Code>(noisy(a + b));
    const auto e = static_cast<data::Code>(noisy(b + 3 * c));
    cols[1][row] = y;
    cols[0][row] = a;
    cols[2][row] = b;
    cols[3][row] = c;
    cols[4][row] = e;
  }
  return data::EncodedDataset::from_columns({"a", "y", "b", "c", "e"}, {5, 20, 5, 5, 5}, cols);
}

// Steps q to the next joint state (first column fastest); false after the last.
bool next_state(std::vector<data::Code>& q, const std::vector<uint32_t>& card) {
  size_t c = 0;
  while (c < q.size() && ++q[c] == card[c]) q[c++] = 0;
  return c < q.size();
}

// A counted model; with_counts keeps the sparse counts (saved instead of logp).
KdbModel fit(const data::EncodedDataset& data, size_t class_col, const SmoothingSpec& spec,
             bool with_counts = true) {
  KdbStructure s = KdbStructure::learn(data, class_col, 2, 100000, 1);
  auto [layout, p] = fit_counts(s, data.cardinality, data, spec);
  if (with_counts) {
    return KdbModel(std::move(s), data.cardinality, std::move(layout), std::move(p.blocks),
                    std::move(p.counts), std::move(p.log_prior));
  }
  std::vector<double> logp = smooth_counts(layout, p.blocks, p.counts);
  return KdbModel(std::move(s), data.cardinality, std::move(layout), std::move(p.blocks),
                  std::move(logp), std::move(p.log_prior));
}

// Dense formula of cpt.hpp from raw counts: P_0 = (n(x, c) + alpha) / (n(c) + alpha r);
// level j (first j parents, ascending column order) shrinks toward level j-1 (hierarchical)
// or is Laplace-smoothed when its (pi_j, c) was seen and equals level j-1 otherwise.
double dense_log_prob(const data::EncodedDataset& data, const KdbStructure& s,
                      const SmoothingSpec& spec, const std::vector<data::Code>& q) {
  const size_t n = data.num_rows();
  const uint32_t num_classes = data.cardinality[s.class_col];
  double ny = 0.0;
  for (size_t row = 0; row < n; ++row) ny += data.columns[s.class_col][row] == q[s.class_col];
  double lp = std::log((ny + spec.alpha) / (static_cast<double>(n) + spec.alpha * num_classes));
  for (uint32_t col : s.order) {
    const auto& parents = s.parents[col];
    const uint32_t r = data.cardinality[col];
    std::vector<double> prob(r);
    for (size_t j = 0; j <= parents.size(); ++j) {
      std::vector<double> cnt(r, 0.0);
      double total = 0.0;
      for (size_t row = 0; row < n; ++row) {
        bool match = data.columns[s.class_col][row] == q[s.class_col];
        for (size_t p = 0; p < j && match; ++p)
          match = data.columns[parents[p]][row] == q[parents[p]];
        if (!match) continue;
        cnt[data.columns[col][row]] += 1.0;
        total += 1.0;
      }
      for (uint32_t v = 0; v < r; ++v) {
        if (j == 0) {
          prob[v] = (cnt[v] + spec.alpha) / (total + spec.alpha * r);
        } else if (spec.kind == Smoothing::Laplace) {
          if (total > 0) prob[v] = (cnt[v] + spec.alpha) / (total + spec.alpha * r);
        } else {
          prob[v] = (cnt[v] + spec.m * prob[v]) / (total + spec.m);
        }
      }
    }
    lp += std::log(prob[q[col]]);
  }
  return lp;
}

TEST(CompactBlocks, LogProbEqualsDenseFormula) {
  const auto data = sparse_table(3);
  for (Smoothing kind : {Smoothing::Hierarchical, Smoothing::Laplace}) {
    SmoothingSpec spec;
    spec.kind = kind;
    spec.m = 3.0;
    const KdbModel model = fit(data, 1, spec);
    ASSERT_EQ(model.structure().parents[model.structure().order.back()].size(), 2u);
    // Every joint state: seen and unseen configurations, seen and unseen classes.
    std::vector<data::Code> q(5, 0);
    size_t states = 0;
    double total = 0.0;
    do {
      const double lp = model.log_prob_row(q.data());
      ASSERT_NEAR(lp, dense_log_prob(data, model.structure(), spec, q), 1e-12);
      total += std::exp(lp);
      ++states;
    } while (next_state(q, data.cardinality));
    EXPECT_EQ(states, 20u * 625u);
    EXPECT_NEAR(total, 1.0, 1e-9);
  }
}

TEST(CompactBlocks, StoresFarLessThanDense) {
  const auto data = sparse_table(4);
  const KdbModel model = fit(data, 1, {});
  const KdbLayout& layout = model.layout();
  const size_t dense_cells = layout.total_slots() * layout.num_classes();
  const size_t cells = model.blocks().total_cells();
  EXPECT_EQ(model.logp().size(), cells);
  EXPECT_LT(cells * 3, dense_cells) << cells << " of " << dense_cells;
  // Dense storage was a double and a (double, uint32) alias entry per cell.
  EXPECT_LT(model.parameter_bytes() * 3, dense_cells * (8 + 12));
  // Level 0 keeps every class; fully observed groups with one class keep one block.
  for (size_t f = 0; f < layout.num_features(); ++f) {
    const auto g0 = static_cast<size_t>(layout.feature(f).levels[0].first_group());
    for (uint32_t c = 0; c < layout.num_classes(); ++c) EXPECT_GE(model.blocks().find(g0, c), 0);
  }
  EXPECT_GT(model.blocks().trainable_blocks(), 0u);
  EXPECT_LT(model.blocks().trainable_blocks(), layout.trainable_groups() * layout.num_classes());
}

// A row's group found from its parents' prefix keys (lookup_row, the sampler's) is the group
// of its full configuration's back-off (lookup), for every joint state, seen or not.
TEST(CompactBlocks, RowLookupWithoutDivisionsIsTheBackOff) {
  const auto data = sparse_table(5);
  const KdbModel model = fit(data, 0, {});  // y (20 codes) may be a parent: unseen configurations
  const KdbLayout& layout = model.layout();
  std::vector<data::Code> q(data.cardinality.size(), 0);
  size_t states = 0, backed_off = 0;
  do {
    auto code_at = [&](uint32_t col) { return q[col]; };
    for (size_t f = 0; f < layout.num_features(); ++f) {
      const int32_t g = layout.lookup(f, layout.full_config(f, code_at));
      ASSERT_EQ(layout.lookup_row(f, code_at), g) << "feature " << f << " state " << states;
      backed_off += layout.group_at_level(f, layout.feature(f).levels.size() - 1,
                                          layout.full_config(f, code_at)) < 0;
    }
    ++states;
  } while (next_state(q, data.cardinality));
  EXPECT_GT(backed_off, 0u);
}

// A counted model without its tables scores rows feature by feature from the counts: the
// very numbers of the full tables, bit for bit, in both smoothing modes.
TEST(CompactBlocks, ScoringFromCountsEqualsTheTables) {
  const auto data = sparse_table(6);
  // Every joint state: seen and unseen configurations, seen and unseen classes.
  data::EncodedDataset states;
  states.cardinality = data.cardinality;
  states.columns.assign(5, {});
  std::vector<data::Code> q(5, 0);
  do {
    for (size_t c = 0; c < 5; ++c) states.columns[c].push_back(q[c]);
  } while (next_state(q, data.cardinality));
  for (Smoothing kind : {Smoothing::Hierarchical, Smoothing::Laplace}) {
    SmoothingSpec spec;
    spec.kind = kind;
    const KdbModel model = fit(data, 1, spec);
    // In chunks of fewer rows than cells per feature: scored without building the tables
    // (a feature with more cells than the chunk's rows takes the logarithm per row, the
    // others per cell; 7 rows is fewer than any feature's cells).
    const size_t chunk = model.blocks().total_cells() / 5;
    ASSERT_GT(chunk, 100u);
    std::vector<double> lp(states.num_rows()), small(states.num_rows());
    for (auto [size, into] : {std::pair{chunk, &lp}, std::pair{size_t{7}, &small}}) {
      for (size_t begin = 0; begin < states.num_rows(); begin += size) {
        std::vector<data::RowIndex> rows;
        for (size_t r = begin; r < std::min(states.num_rows(), begin + size); ++r) {
          rows.push_back(static_cast<data::RowIndex>(r));
        }
        model.log_prob(data::DatasetView(states, rows), &(*into)[begin], 2);
      }
    }
    EXPECT_EQ(small, lp);
    EXPECT_TRUE(model.counts().has_value());
    for (size_t r = 0; r < states.num_rows(); ++r) {
      for (size_t c = 0; c < 5; ++c) q[c] = states.columns[c][r];
      ASSERT_EQ(lp[r], model.log_prob_row(q.data())) << r;  // builds logp()
    }
    std::vector<double> again(states.num_rows());
    model.log_prob(states, again.data(), 1);  // from the tables now
    EXPECT_EQ(again, lp);
    // A code out of range is refused on both paths.
    const std::vector<data::RowIndex> first = {0, 1, 2};
    auto bad = data::DatasetView(states, first).materialize();
    bad.columns[2].set(1, 5);
    EXPECT_THROW(fit(data, 1, spec).log_prob(bad, lp.data(), 1), InvalidArgument);
    EXPECT_THROW(model.log_prob(bad, lp.data(), 1), InvalidArgument);
  }
}

// A counted model builds its tables on first use (from any thread) and rebuilds the same
// ones after release_tables().
TEST(CompactBlocks, TablesAreBuiltOnUseAndCanBeDropped) {
  const auto data = sparse_table(7);
  KdbModel model = fit(data, 1, {});
  const KdbModel copy = model;  // before any table exists
  std::vector<data::Code> a(9000 * 5), b(9000 * 5), c(9000 * 5);
  model.sample(9000, -1, 4, a.data(), 3);
  const std::vector<double> logp = model.logp();
  model.release_tables();
  model.sample(9000, -1, 4, b.data(), 1);
  copy.sample(9000, -1, 4, c.data(), 2);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(model.logp(), logp);
  model.release_tables();
  EXPECT_EQ(model.logp(), logp);
}

// A counted model is saved as its sparse counts and rebuilt bit for bit; the file is
// much smaller than the explicit parameters; corrupt counts are rejected.
TEST(CompactBlocks, CountedModelSavesCounts) {
  const auto data = sparse_table(5);
  for (Smoothing kind : {Smoothing::Hierarchical, Smoothing::Laplace}) {
    SmoothingSpec spec;
    spec.kind = kind;
    const KdbModel model = fit(data, 1, spec);
    ASSERT_TRUE(model.counts().has_value());
    const nlohmann::json j = model.to_json();
    EXPECT_FALSE(j.contains("logp"));
    const auto bytes = nlohmann::json::to_cbor(j);
    const KdbModel back = KdbModel::from_json(nlohmann::json::from_cbor(bytes));
    EXPECT_EQ(back.logp(), model.logp());
    EXPECT_EQ(back.log_prior(), model.log_prior());
    std::vector<data::Code> a(3000 * 5), b(3000 * 5);
    model.sample(3000, -1, 9, a.data(), 1);
    back.sample(3000, -1, 9, b.data(), 2);
    EXPECT_EQ(a, b);
    const auto explicit_bytes = nlohmann::json::to_cbor(fit(data, 1, spec, false).to_json());
    EXPECT_LT(bytes.size() * 3, explicit_bytes.size());
  }
  const KdbModel counted = fit(data, 1, {});
  // Saved as varints with the values as gaps (format 2); the edits below use format 1's
  // fixed widths and values, which still load to the same model.
  nlohmann::json good = counted.to_json();
  EXPECT_TRUE(good["counts"].contains("entries"));
  good["counts"].erase("entries");
  good["counts"]["values"] = pack_narrow(counted.counts()->values);
  good["counts"]["nnz"] = pack_narrow(counted.counts()->nnz);
  good["counts"]["counts"] = pack_narrow(counted.counts()->counts);
  EXPECT_EQ(KdbModel::from_json(good).logp(), counted.logp());
  auto expect_bad = [](const nlohmann::json& j) {
    EXPECT_THROW(KdbModel::from_json(j), ModelFormatError);
  };
  auto with = [&](const char* field, auto edit) {
    nlohmann::json j = good;
    auto v = unpack_narrow(j["counts"][field], field);
    edit(v);
    j["counts"][field] = pack_narrow(v);
    return j;
  };
  expect_bad(with("counts", [](auto& v) { v[3] = 0; }));      // zero count
  expect_bad(with("counts", [](auto& v) { v.pop_back(); }));  // sizes differ
  expect_bad(with("values", [](auto& v) { v[0] = 5; }));      // value >= r
  {  // a block's values out of order, or repeated (its first block with two entries)
    const auto& nnz = counted.counts()->nnz;
    size_t e = 0, b = 0;
    for (; b < nnz.size() && nnz[b] < 2; ++b) e += nnz[b];
    ASSERT_LT(b, nnz.size());
    expect_bad(with("values", [&](auto& v) { std::swap(v[e], v[e + 1]); }));
    expect_bad(with("values", [&](auto& v) { v[e + 1] = v[e]; }));
    expect_bad(with("counts", [&](auto& v) { v[e + nnz[b] - 1] = 0; }));  // a block's last
  }
  expect_bad(with("nnz", [](auto& v) { v[0] += 1; }));           // entries shift
  expect_bad(with("nnz", [](auto& v) { v[0] = 4000000000u; }));  // huge
  nlohmann::json j = good;
  {  // a full-level block with no counts cannot be stored
    auto nnz = unpack_narrow(j["counts"]["nnz"], "nnz");
    auto values = unpack_narrow(j["counts"]["values"], "values");
    auto counts = unpack_narrow(j["counts"]["counts"], "counts");
    const KdbLayout& layout = counted.layout();
    const size_t b = counted.blocks().begin(layout.trainable_groups() - 1);  // a 2-parent group
    ASSERT_GE(layout.parent_group(static_cast<size_t>(counted.blocks().block_group(b))), 0);
    size_t e = 0;
    for (size_t i = 0; i < b; ++i) e += nnz[i];
    values.erase(values.begin() + e, values.begin() + e + nnz[b]);
    counts.erase(counts.begin() + e, counts.begin() + e + nnz[b]);
    nnz[b] = 0;
    j["counts"]["nnz"] = pack_narrow(nnz);
    j["counts"]["values"] = pack_narrow(values);
    j["counts"]["counts"] = pack_narrow(counts);
    expect_bad(j);
  }
  j = good;
  j["counts"]["m"][2] = -1.0;
  expect_bad(j);
  j = good;
  j["counts"]["smoothing"] = "none";
  expect_bad(j);
  j = good;
  j["counts"]["nnz"]["width"] = 3;
  expect_bad(j);
  j = good;
  j["counts"].erase("values");
  expect_bad(j);
}

// Varints: any 32-bit value round-trips; a truncated or oversized one is refused, and a
// gap that takes a value out of its block's range is caught by the count checks.
TEST(CompactBlocks, VarintsRoundTripAndRefuseDamage) {
  const std::vector<uint32_t> v = {0, 1, 127, 128, 300, 16383, 16384, 65535, 4294967295u};
  EXPECT_EQ(unpack_narrow(pack_varint(v), "v"), v);
  EXPECT_EQ(unpack_narrow(pack_narrow(v), "v"), v);
  EXPECT_EQ(pack_varint({5, 127}).at("varint").get_binary().size(), 2u);
  nlohmann::json cut = pack_varint({300});
  cut["varint"].get_binary().pop_back();
  EXPECT_THROW(unpack_narrow(cut, "v"), ModelFormatError);
  const nlohmann::json big = {{"varint", nlohmann::json::binary({0xff, 0xff, 0xff, 0xff, 0x7f})}};
  EXPECT_THROW(unpack_narrow(big, "v"), ModelFormatError);

  // An entry whose gap takes its value out of its block's range, or whose large count is
  // missing, is refused.
  const KdbModel counted = fit(sparse_table(5), 1, {});
  const nlohmann::json good = counted.to_json();
  nlohmann::json j = good;
  auto& entries = j["counts"]["entries"]["entries"].get_binary();
  ASSERT_LT(entries[0], 0x80);
  entries[0] = 0x7c;  // gap 31, count 1: beyond the block's values
  EXPECT_THROW(KdbModel::from_json(j), ModelFormatError);
  j = good;
  j["counts"]["entries"]["large_counts"] = pack_varint({});
  const auto& counts = counted.counts()->counts;
  ASSERT_TRUE(std::any_of(counts.begin(), counts.end(), [](uint32_t c) { return c >= 4; }));
  EXPECT_THROW(KdbModel::from_json(j), ModelFormatError);
  j = good;
  j["counts"]["entries"]["large_counts"] = pack_varint({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  EXPECT_THROW(KdbModel::from_json(j), ModelFormatError);
}

}  // namespace
}  // namespace meg::bn
