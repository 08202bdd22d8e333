// The fixed-size phases of a distributed fit that the processes split instead of
// repeating (no MPI here): the distance probe's queries (each process measures its
// share, the integer totals are summed), the units' structure searches and held-out
// scores (each process takes its share of the units; structures and scores are
// allgathered) and the resampler's tasks (discriminators, held-out rows and AUCs
// allgathered). p "processes"
// run one after another with a reducer that replays what the others sent in the
// previous round: the k-th collective is exact once the k first ones were, so the
// rounds reach a fixed point, and every process must then hold exactly what one
// process computes alone.
#include <gtest/gtest.h>

#include <cstring>
#include <exception>
#include <vector>

#include "bn/kdb_structure.hpp"
#include "core/count_reducer.hpp"
#include "core/rng.hpp"
#include "dist/mpi_reducer.hpp"
#include "ensemble/discriminator_resample.hpp"
#include "ensemble/smoothing_select.hpp"
#include "ensemble/unit_fitting.hpp"

namespace meg::test {
namespace {

using Bytes = std::vector<uint8_t>;
// log[rank][k]: what the process sent to its k-th collective in a round.
using Log = std::vector<std::vector<Bytes>>;

class ReplayReducer final : public core::CountReducer {
 public:
  ReplayReducer(const Log& previous, Log& current, int rank, int p)
      : previous_(previous), current_(current), rank_(rank), p_(p) {}
  std::pair<size_t, size_t> share(size_t rows) const override {
    return dist::rank_share(rows, rank_, p_);
  }
  void sum(std::span<uint32_t> counts) override { add(counts); }
  void sum(std::span<uint64_t> counts) override { add(counts); }
  std::vector<Bytes> allgather(std::span<const uint8_t> bytes) override {
    Bytes mine(bytes.begin(), bytes.end());
    std::vector<Bytes> out;
    for (int r = 0; r < p_; ++r) out.push_back(r == rank_ ? mine : sent(r, mine));
    record(std::move(mine));
    return out;
  }
  size_t calls() const { return k_; }

 private:
  // What process r sent to this collective in the previous round (`fallback` when it
  // made no such call: the rounds have not reached this call yet).
  Bytes sent(int r, const Bytes& fallback) const {
    const auto& log = previous_[static_cast<size_t>(r)];
    return k_ < log.size() ? log[k_] : fallback;
  }
  void record(Bytes mine) {
    current_[static_cast<size_t>(rank_)].push_back(std::move(mine));
    ++k_;
  }
  template <class T>
  void add(std::span<T> counts) {
    Bytes mine(counts.size_bytes());
    if (mine.empty()) {
      record(std::move(mine));
      return;
    }
    std::memcpy(mine.data(), counts.data(), mine.size());
    for (int r = 0; r < p_; ++r) {
      if (r == rank_) continue;
      const Bytes other = sent(r, Bytes());
      if (other.size() != mine.size()) continue;  // not reached yet: its share counts 0
      std::vector<T> v(counts.size());
      std::memcpy(v.data(), other.data(), other.size());
      for (size_t i = 0; i < counts.size(); ++i) counts[i] += v[i];
    }
    record(std::move(mine));
  }
  const Log& previous_;
  Log& current_;
  int rank_, p_;
  size_t k_ = 0;
};

// Runs `fn(rank)` for p processes, round after round, until every process sends what
// it sent in the round before; returns the last round's results.
// `calls`, when given: how many collectives each process made in the last round.
template <class Result, class Fn>
std::vector<Result> run_processes(int p, Fn&& fn, std::vector<size_t>* calls = nullptr) {
  Log previous(static_cast<size_t>(p));
  for (int round = 0; round < 200; ++round) {
    Log current(static_cast<size_t>(p));
    std::vector<Result> out;
    bool failed = false;  // a process refused what the others sent before they settled
    for (int r = 0; r < p; ++r) {
      ReplayReducer reducer(previous, current, r, p);
      const core::CountReducerScope scope(&reducer);
      try {
        out.push_back(fn(r));
      } catch (const std::exception&) {
        failed = true;
      }
    }
    if (!failed && current == previous) {
      if (calls) {
        calls->clear();
        for (const auto& log : current) calls->push_back(log.size());
      }
      return out;
    }
    previous = std::move(current);
  }
  ADD_FAILURE() << "the rounds did not settle";
  return {};
}

// Columns of 3 to 6 levels, each row driven by one hidden value (so units differ).
data::EncodedDataset table(size_t n, uint64_t seed) {
  const std::vector<uint32_t> card = {3, 4, 5, 6};
  core::Rng rng(seed);
  std::vector<std::vector<data::Code>> cols(card.size(), std::vector<data::Code>(n));
  for (size_t r = 0; r < n; ++r) {
    const uint64_t h = rng.below(6);
    for (size_t c = 0; c < card.size(); ++c) {
      cols[c][r] = static_cast<data::Code>(rng.uniform() < 0.7 ? h % card[c] : rng.below(card[c]));
    }
  }
  return data::EncodedDataset::from_columns({"a", "b", "c", "d"}, card, cols);
}

// Columns of 4 levels: a, b, c uniform, d = (a + b + c) mod 4 in 90% of the rows.
data::EncodedDataset sum_table(size_t n, uint64_t seed) {
  core::Rng rng(seed);
  std::vector<std::vector<data::Code>> cols(4, std::vector<data::Code>(n));
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < 3; ++c) cols[c][r] = static_cast<data::Code>(rng.below(4));
    cols[3][r] = static_cast<data::Code>(
        rng.uniform() < 0.9 ? (cols[0][r] + cols[1][r] + cols[2][r]) % 4 : rng.below(4));
  }
  return data::EncodedDataset::from_columns({"a", "b", "c", "d"}, {4, 4, 4, 4}, cols);
}

struct Probed {
  double holdout = 0, synthetic = 0;
  bool operator==(const Probed&) const = default;
};

TEST(DistReplicated, ProbeQueriesSplitGiveTheSameDistances) {
  const data::EncodedDataset reference = table(3000, 1), holdout = table(700, 2),
                             rows = table(513, 3);
  std::vector<data::Code> flat;
  for (size_t i = 0; i < rows.num_rows(); ++i) {
    for (size_t c = 0; c < rows.num_cols(); ++c) flat.push_back(rows.columns[c][i]);
  }
  auto probe = [&](int threads) {
    const ensemble::DistanceProbe p(reference, holdout, 500, threads, 1000, 9);
    return Probed{p.holdout_mean(), p.mean_distance(flat.data(), rows.num_rows())};
  };
  const Probed want = probe(1);
  EXPECT_GT(want.holdout, 0);
  for (int p : {1, 2, 3, 7}) {
    SCOPED_TRACE(testing::Message() << p << " processes");
    std::vector<size_t> calls;
    for (const Probed& got : run_processes<Probed>(
             p, [&](int) { return probe(2); }, &calls)) {
      EXPECT_EQ(got, want);
    }
    for (size_t c : calls) EXPECT_EQ(c, 2u);  // the probe's held-out rows, then the rows
  }
}

struct Fitted {
  std::vector<std::vector<double>> loglik;
  std::vector<nlohmann::json> units, structures;
  bool operator==(const Fitted&) const = default;
};

// The structures searched and the held-out rows scored by share of the units: the same
// structures, units and scores as one process.
TEST(DistReplicated, StructuresAndHeldOutScoresSplitGiveTheSameUnits) {
  const data::EncodedDataset fit = table(4001, 4), val = table(301, 5);
  const std::vector<size_t> cols = {0, 1, 2, 3};
  FitOptions o;
  o.threads = 1;
  auto run = [&] {
    const ProgressFn none;  // the relay keeps a reference to it
    ensemble::ProgressRelay relay(none, cols.size());
    Fitted out;
    out.loglik.assign(cols.size(), {});
    const data::DatasetView v(val);
    std::vector<bn::KdbStructure> structures;
    for (const auto& u : ensemble::fit_units(fit, cols, o, 2, "fit", relay, &v, &out.loglik,
                                             nullptr, &structures)) {
      out.units.push_back(u.to_json());
    }
    for (const auto& s : structures) out.structures.push_back(s.to_json());
    return out;
  };
  const Fitted want = run();
  ASSERT_EQ(want.loglik[0].size(), val.num_rows());
  ASSERT_EQ(want.structures.size(), cols.size());
  for (int p : {2, 3, 5}) {  // 5: a process searches no unit
    SCOPED_TRACE(testing::Message() << p << " processes");
    std::vector<size_t> calls;
    for (const Fitted& got : run_processes<Fitted>(
             p, [&](int) { return run(); }, &calls)) {
      EXPECT_TRUE(got == want);
    }
    // The structures (1), per unit its code check and its counts, then the scores (1).
    for (size_t c : calls) EXPECT_GE(c, 2 + 2 * cols.size());
  }
}

// Above bn::kSearchRows rows the searches read a hashed subset of the rows: picked once for
// every unit, each process hashing its share of the positions (the lists allgathered), it
// gives the structures one process finds, each unit picking the rows itself.
TEST(DistReplicated, SearchRowsHashedByShareGiveTheSameStructures) {
  const data::EncodedDataset all = table(bn::kSearchRows + 9000, 12);
  // A view of listed rows (as the fit part is): the positions hashed are the view's.
  std::vector<data::RowIndex> listed;
  for (size_t r = 0; r < all.num_rows(); ++r) {
    if (r % 9 != 4) listed.push_back(static_cast<data::RowIndex>(r));
  }
  const data::DatasetView fit(all, listed);
  ASSERT_GT(fit.num_rows(), bn::kSearchRows);
  const std::vector<size_t> cols = {0, 1, 2, 3};
  FitOptions o;
  o.threads = 1;
  o.unit.structure = StructureSearch::Greedy;  // its AIC penalty reads the rows' number
  std::vector<nlohmann::json> want;
  for (size_t c : cols) {
    want.push_back(
        bn::KdbStructure::learn(fit, c, o.unit.k, o.unit.max_parent_configs, 1, o.unit.structure)
            .to_json());
  }
  auto run = [&] {
    const ProgressFn none;  // the relay keeps a reference to it
    ensemble::ProgressRelay relay(none, cols.size());
    std::vector<nlohmann::json> out;
    for (const auto& s : ensemble::search_structures(fit, cols, o, relay)) {
      out.push_back(s.to_json());
    }
    return out;
  };
  EXPECT_EQ(run(), want);  // one process: the rows picked once
  for (int p : {2, 3}) {
    SCOPED_TRACE(testing::Message() << p << " processes");
    std::vector<size_t> calls;
    for (const auto& got : run_processes<std::vector<nlohmann::json>>(
             p, [&](int) { return run(); }, &calls)) {
      EXPECT_EQ(got, want);
    }
    for (size_t c : calls) EXPECT_EQ(c, 2u);  // the picked rows, then the structures
  }
}

// The probe's mixture rows, one task a unit: the rows mixture_codes draws in one process,
// also with more processes than units (some draw none).
TEST(DistReplicated, MixtureRowsByUnitGiveTheSameRows) {
  const data::EncodedDataset fit = table(3000, 13);
  const std::vector<size_t> cols = {0, 1, 2, 3};
  FitOptions o;
  o.threads = 1;
  const ProgressFn none;  // the relay keeps a reference to it
  ensemble::ProgressRelay relay(none, cols.size());
  const std::vector<train::GanblrUnit> units = ensemble::fit_units(fit, cols, o, 2, "fit", relay);
  const std::vector<double> weights = {0.1, 0.0, 0.6, 0.3};  // a unit draws no row
  const std::vector<data::Code> want =
      ensemble::mixture_codes(units, weights, fit.num_cols(), 777, 21, 2);
  EXPECT_EQ(ensemble::shared_mixture_codes(units, weights, fit.num_cols(), 777, 21), want);
  for (int p : {2, 3, 5}) {
    SCOPED_TRACE(testing::Message() << p << " processes");
    std::vector<size_t> calls;
    for (const auto& got : run_processes<std::vector<data::Code>>(
             p,
             [&](int) {
               return ensemble::shared_mixture_codes(units, weights, fit.num_cols(), 777, 21);
             },
             &calls)) {
      EXPECT_EQ(got, want);
    }
    for (size_t c : calls) EXPECT_EQ(c, 1u);
  }
}

// The resampler: the first stage's discriminator, the plain rows' detection AUC and the
// candidates (round 1), then the second stage's discriminator and the first stage's
// held-out rows and AUC (round 2), each task on one process with its result allgathered,
// and the later stages' detection folds shared: the same summary (AUCs, copy rates,
// decision) and discriminators as one process. `second`: the second stage keeps trees.
void check_resampler(const FitOptions& o, size_t holdout_rows, bool second) {
  // With a second stage kept: a table of a three-way interaction (d = a + b + c mod 4,
  // mostly) that naive Bayes units cannot hold, so the first stage leaves some for it.
  const data::EncodedDataset fit = second ? sum_table(6000, 6) : table(3000, 6),
                             val = second ? sum_table(holdout_rows, 7) : table(holdout_rows, 7);
  const std::vector<size_t> cols = {0, 1, 2, 3};
  const ProgressFn none;  // the relay keeps a reference to it
  ensemble::ProgressRelay relay(none, cols.size());
  FitOptions unit_options = o;
  if (second) unit_options.unit.k = 0;
  const std::vector<train::GanblrUnit> units =
      ensemble::fit_units(fit, cols, unit_options, 2, "fit", relay);
  const std::vector<double> weights = {0.4, 0.3, 0.2, 0.1};
  auto run = [&] {
    const ensemble::ResampleFit r = ensemble::fit_resampler(units, weights, fit, val, o, 11);
    nlohmann::json j = r.summary;
    if (r.resampler) j["resampler"] = r.resampler->to_json();
    return j;
  };
  const nlohmann::json want = run();
  const nlohmann::json& stages = want.at("stages");
  ASSERT_EQ(stages.size(), o.resample_stages >= 2 ? 2u : 1u) << want.dump();
  if (o.resample_stages >= 2) {
    ASSERT_EQ(stages[1].at("trees").get<int>() > 0, second);
  }
  ASSERT_EQ(want.contains("holdout_auc_plain"), holdout_rows >= 200) << want.dump();
  for (int p : {2, 3, 5}) {
    SCOPED_TRACE(testing::Message() << p << " processes");
    std::vector<size_t> calls;
    for (const nlohmann::json& got : run_processes<nlohmann::json>(
             p, [&](int) { return run(); }, &calls)) {
      EXPECT_EQ(got.dump(), want.dump());
    }
    // Two rounds, and the later stages' folds.
    for (size_t c : calls) EXPECT_EQ(c, second && holdout_rows >= 200 ? 3u : 2u);
  }
}

TEST(DistReplicated, ResamplerTasksSplitGiveTheSameDecision) {
  FitOptions o;
  o.threads = 1;
  o.resample = Resample::On;
  check_resampler(o, 900, false);
}

TEST(DistReplicated, ResamplerTasksSplitGiveTheSameSecondStage) {
  FitOptions o;
  o.threads = 2;
  o.resample = Resample::Auto;
  check_resampler(o, 2000, true);
}

TEST(DistReplicated, ResamplerTasksSplitWithoutHeldOutRowsOrASecondStage) {
  FitOptions o;
  o.threads = 1;
  o.resample = Resample::On;
  check_resampler(o, 150, false);  // too few held-out rows: no decision
  o.resample_stages = 1;
  check_resampler(o, 900, false);  // one stage: round 2 holds the held-out rows only
}

}  // namespace
}  // namespace meg::test
