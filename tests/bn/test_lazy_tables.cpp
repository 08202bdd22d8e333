// A kDB's sampling tables are built block by block on first use (kdb_tables.cpp): the draws
// must be those of every table built up front, whichever blocks were built before, by how
// many threads, for plain and conditional sampling; a loaded model's distributions are still
// all checked at load.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "bn/alias_table.hpp"
#include "bn/cpt.hpp"
#include "bn/evidence.hpp"
#include "bn/kdb_model.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

// Class y (4 values), a (5), w (300 values: more than an alias table packs, so its tables
// keep full entries) depending on y and a, b (3) on w; 3,000 rows, so many (configuration,
// class) pairs are unseen and back off.
data::EncodedDataset wide_table(uint64_t seed) {
  const size_t n = 3000;
  std::vector<std::vector<data::Code>> cols(4, std::vector<data::Code>(n));
  core::Rng rng(seed);
  for (size_t row = 0; row < n; ++row) {
    const auto y = static_cast<data::Code>(rng.below(4));
    const auto a = static_cast<data::Code>(rng.below(3) == 0 ? rng.below(5) : y);
    const auto w = static_cast<data::Code>(rng.below(2) == 0 ? rng.below(300) : 60 * a + y);
    const auto b = static_cast<data::Code>(rng.below(4) == 0 ? rng.below(3) : w % 3);
    cols[0][row] = y;
    cols[1][row] = a;
    cols[2][row] = w;
    cols[3][row] = b;
  }
  return data::EncodedDataset::from_columns({"y", "a", "w", "b"}, {4, 5, 300, 3}, cols);
}

// A counted model (or, with `with_counts` false, its parameters as an explicit logp).
KdbModel fit(const data::EncodedDataset& data, Smoothing kind, bool with_counts) {
  KdbStructure s = KdbStructure::learn(data, 0, 2, 100000, 1);
  SmoothingSpec spec;
  spec.kind = kind;
  spec.m = 2.0;
  auto [layout, p] = fit_counts(s, data.cardinality, data, spec);
  if (with_counts) {
    return KdbModel(std::move(s), data.cardinality, std::move(layout), std::move(p.blocks),
                    std::move(p.counts), std::move(p.log_prior));
  }
  std::vector<double> logp = smooth_counts(layout, p.blocks, p.counts);
  return KdbModel(std::move(s), data.cardinality, std::move(layout), std::move(p.blocks),
                  std::move(logp), std::move(p.log_prior));
}

KdbModel reload(const KdbModel& m) {
  return KdbModel::from_json(nlohmann::json::from_cbor(nlohmann::json::to_cbor(m.to_json())));
}

// The rows sample(n, -1, seed, ...) must give, drawn here a row at a time from alias tables
// of every block built up front from exp(logp()) (what a load built before the tables were
// lazy), with the documented streams.
std::vector<data::Code> reference_rows(const KdbModel& m, size_t n, uint64_t seed) {
  const KdbLayout& layout = m.layout();
  const ClassBlocks& blocks = m.blocks();
  AliasTables cells(blocks.total_cells());
  std::vector<double> p;
  for (size_t b = 0; b < blocks.num_blocks(); ++b) {
    p.resize(blocks.block_size(b));
    for (uint32_t v = 0; v < blocks.block_size(b); ++v) {
      p[v] = std::exp(m.logp()[blocks.offset(b) + v]);
    }
    cells.set(blocks.offset(b), p.data(), blocks.block_size(b));
  }
  p.resize(m.num_classes());
  for (uint32_t c = 0; c < m.num_classes(); ++c) p[c] = std::exp(m.log_prior()[c]);
  AliasTables prior(m.num_classes());
  prior.set(0, p.data(), m.num_classes());
  const size_t d = m.num_cols(), class_col = m.structure().class_col;
  std::vector<data::Code> out(n * d);
  for (size_t first = 0; first < n; first += KdbModel::kBlockRows) {
    core::Rng rng(core::derive_seed(seed, {class_col, first / KdbModel::kBlockRows}));
    for (size_t row = first; row < std::min(n, first + KdbModel::kBlockRows); ++row) {
      data::Code* codes = &out[row * d];
      codes[class_col] = prior.draw(rng, 0, m.num_classes());
      auto code_at = [&](uint32_t col) { return codes[col]; };
      for (size_t f = 0; f < layout.num_features(); ++f) {
        const FeatureLayout& fl = layout.feature(f);
        const int32_t g = layout.lookup(f, layout.full_config(f, code_at));
        const size_t b = static_cast<size_t>(m.block_of(g, codes[class_col]));
        codes[fl.column] = cells.draw(rng, blocks.offset(b), fl.card);
      }
    }
  }
  return out;
}

std::vector<data::Code> sample(const KdbModel& m, size_t n, uint64_t seed, int threads) {
  std::vector<data::Code> out(n * m.num_cols());
  m.sample(n, -1, seed, out.data(), threads);
  return out;
}

TEST(LazyTables, DrawsEqualTablesBuiltUpFront) {
  const auto data = wide_table(3);
  for (Smoothing kind : {Smoothing::Hierarchical, Smoothing::Laplace}) {
    for (bool counted : {true, false}) {
      const std::string what = std::string(kind == Smoothing::Laplace ? "laplace" : "hier") +
                               (counted ? " counted" : " explicit");
      const KdbModel fitted = fit(data, kind, counted);
      const size_t n = 3 * KdbModel::kBlockRows + 123;
      const std::vector<data::Code> want = reference_rows(fitted, n, 11);
      EXPECT_EQ(sample(fitted, n, 11, 2), want) << what;
      for (int threads : {1, 2, 3}) {
        const KdbModel lazy = reload(fitted);  // no block built yet
        EXPECT_EQ(sample(lazy, n, 11, threads), want) << what << " threads " << threads;
        const KdbModel eager = reload(fitted);
        eager.build_tables();
        EXPECT_EQ(sample(eager, n, 11, threads), want) << what << " threads " << threads;
      }
      // A few rows first (some blocks built), then more: still the same rows.
      const KdbModel partly = reload(fitted);
      const std::vector<data::Code> few = sample(partly, 100, 11, 1);
      EXPECT_TRUE(std::equal(few.begin(), few.end(), want.begin())) << what;
      EXPECT_EQ(sample(partly, n, 11, 2), want) << what;
    }
  }
}

// Threads drawing from the same fresh model at once (each block built by one of them while
// the others wait) give the rows each gives alone.
TEST(LazyTables, ConcurrentFirstDrawsGiveTheSameRows) {
  const KdbModel fitted = fit(wide_table(4), Smoothing::Hierarchical, true);
  const size_t n = 2 * KdbModel::kBlockRows;
  std::vector<std::vector<data::Code>> want;
  for (uint64_t seed = 0; seed < 4; ++seed) want.push_back(reference_rows(fitted, n, seed));
  for (int round = 0; round < 3; ++round) {
    const KdbModel shared = reload(fitted);
    std::vector<std::vector<data::Code>> got(4);
    std::vector<std::thread> threads;
    for (uint64_t seed = 0; seed < 4; ++seed) {
      threads.emplace_back([&, seed] { got[seed] = sample(shared, n, seed, 2); });
    }
    for (auto& t : threads) t.join();
    for (uint64_t seed = 0; seed < 4; ++seed) EXPECT_EQ(got[seed], want[seed]) << seed;
  }
}

// Conditional sampling (likelihood weighting) draws through the same tables.
TEST(LazyTables, ConditionalRowsEqualTablesBuiltUpFront) {
  const KdbModel fitted = fit(wide_table(5), Smoothing::Hierarchical, true);
  Evidence e;
  e.allowed.resize(4);
  e.allowed[3] = {1};        // b = 1: a feature, so particles are weighted
  e.allowed[1] = {0, 2, 4};  // and a in {0, 2, 4}
  const size_t n = KdbModel::kBlockRows + 77;
  const KdbModel eager = reload(fitted);
  eager.build_tables();
  std::vector<data::Code> want(n * 4);
  sample_with_evidence(eager, e, n, 6, want.data(), 1);
  for (int threads : {1, 2}) {
    const KdbModel lazy = reload(fitted);
    std::vector<data::Code> got(n * 4);
    sample_with_evidence(lazy, e, n, 6, got.data(), threads);
    EXPECT_EQ(got, want) << threads;
  }
}

// The load still checks every block, the ones no draw has reached too: with m = 0 a
// full-level block gives its unseen values probability 0, refused before any sampling.
TEST(LazyTables, LoadChecksBlocksNotYetBuilt) {
  const KdbModel fitted = fit(wide_table(6), Smoothing::Hierarchical, true);
  nlohmann::json j = fitted.to_json();
  EXPECT_NO_THROW(KdbModel::from_json(j));
  for (auto& m : j["counts"]["m"]) m = 0.0;
  EXPECT_THROW(KdbModel::from_json(j), ModelFormatError);
}

}  // namespace
}  // namespace meg::bn
