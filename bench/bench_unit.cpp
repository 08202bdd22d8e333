// One GANBLR unit on Adult (class income, k = 2 unless an argument says otherwise), phase
// by phase, single thread: MI and CMI counting, structure learning, layout + hierarchical
// counts, building the smoothed log-probabilities from the counts, one CLL epoch, one
// adversarial epoch, one discriminator epoch, sampling 32,561 rows, log p of every row, and
// the whole fit with default options. Rows/s and epochs/s are reported as counters.
#include <benchmark/benchmark.h>

#include <numeric>
#include <string>
#include <vector>

#include "bn/count_store.hpp"
#include "bn/cpt.hpp"
#include "bn/kdb_model.hpp"
#include "bn/mutual_info.hpp"
#include "core/rng.hpp"
#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "train/discriminator.hpp"
#include "train/unit.hpp"

namespace {

struct Adult {
  meg::data::EncodedDataset data;
  size_t class_col = 0;
  Adult() {
    auto table = meg::data::read_csv(std::string(MEG_SOURCE_DIR) + "/data/adult_train.csv");
    auto codec = meg::data::TableCodec::fit(table, meg::data::infer_schema(table), 1);
    data = codec.encode(table);
    class_col = static_cast<size_t>(table.column_index("income"));
  }
};

const Adult& adult() {
  static const Adult a;
  return a;
}

meg::UnitOptions counted() {
  meg::UnitOptions o;
  o.warmup_epochs = 0;
  o.epochs = 0;
  return o;
}

// Rows of the table per second, as a counter.
void rows_per_second(benchmark::State& state, size_t rows) {
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsIterationInvariantRate);
}

// I(X_c; Y) for the 14 features: one count of (x) and (x, y) per column.
void BM_MutualInfo(benchmark::State& state) {
  const auto& a = adult();
  for (auto _ : state) {
    auto mi = meg::bn::mutual_info_with_class(a.data, a.class_col);
    benchmark::DoNotOptimize(mi.data());
  }
  rows_per_second(state, a.data.num_rows());
}

// I(X_i; X_j | Y) for the 91 feature pairs: one count of (x_i, x_j, y) per pair.
void BM_ConditionalMutualInfo(benchmark::State& state) {
  const auto& a = adult();
  for (auto _ : state) {
    auto cmi = meg::bn::conditional_mutual_info(a.data, a.class_col, 1);
    benchmark::DoNotOptimize(cmi.data());
  }
  rows_per_second(state, a.data.num_rows());
  const double features = static_cast<double>(a.data.num_cols() - 1);
  state.counters["pair-rows/s"] =
      benchmark::Counter(static_cast<double>(a.data.num_rows()) * features * (features - 1) / 2,
                         benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Structure(benchmark::State& state) {
  const auto& a = adult();
  for (auto _ : state) {
    auto s = meg::bn::KdbStructure::learn(a.data, a.class_col, 2, 100000, 1);
    benchmark::DoNotOptimize(s.order.data());
  }
  rows_per_second(state, a.data.num_rows());
}

void BM_LayoutAndCounts(benchmark::State& state) {
  const auto& a = adult();
  const int k = static_cast<int>(state.range(0));
  auto s = meg::bn::KdbStructure::learn(a.data, a.class_col, k, 100000, 1);
  for (auto _ : state) {
    auto counted = meg::bn::fit_counts(s, a.data.cardinality, a.data, {});
    benchmark::DoNotOptimize(counted.params.counts.counts.data());
  }
  rows_per_second(state, a.data.num_rows());
}

// The log-probability of every stored cell from the counts (built on a counted unit's first
// sample or log p of many rows).
void BM_SmoothCounts(benchmark::State& state) {
  const auto& a = adult();
  auto o = counted();
  o.k = static_cast<int>(state.range(0));
  const auto unit = meg::train::GanblrUnit::fit(a.data, a.class_col, o, 1, 1);
  const meg::bn::KdbModel& m = unit.model();
  for (auto _ : state) {
    auto logp = meg::bn::smooth_counts(m.layout(), m.blocks(), *m.counts());
    benchmark::DoNotOptimize(logp.data());
  }
  state.counters["cells/s"] = benchmark::Counter(static_cast<double>(m.blocks().total_cells()),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// Fit time of options o minus the counted fit = cost of the gradient epochs.
void fit_with(benchmark::State& state, const meg::UnitOptions& o, int epochs) {
  const auto& a = adult();
  for (auto _ : state) {
    auto unit = meg::train::GanblrUnit::fit(a.data, a.class_col, o, 1, 1);
    benchmark::DoNotOptimize(&unit);
  }
  if (epochs > 0) {
    state.counters["epochs/s"] =
        benchmark::Counter(epochs, benchmark::Counter::kIsIterationInvariantRate);
  }
}

// Also reports the unit's in-memory parameter bytes (once sampled and scored) and its
// serialised (CBOR) size.
void BM_FitCounted(benchmark::State& state) {
  auto o = counted();
  o.k = static_cast<int>(state.range(0));
  fit_with(state, o, 0);
  const auto& a = adult();
  auto unit = meg::train::GanblrUnit::fit(a.data, a.class_col, o, 1, 1);
  state.counters["param_KB"] = static_cast<double>(unit.model().parameter_bytes()) / 1024.0;
  state.counters["cbor_KB"] =
      static_cast<double>(nlohmann::json::to_cbor(unit.to_json()).size()) / 1024.0;
}

void BM_FitOneCllEpoch(benchmark::State& state) {
  auto o = counted();
  o.warmup_epochs = 1;
  o.batch_size = static_cast<int>(state.range(0));
  fit_with(state, o, 1);
}

void BM_FitOneAdversarialEpoch(benchmark::State& state) {
  auto o = counted();
  o.epochs = 1;
  o.batch_size = static_cast<int>(state.range(0));
  fit_with(state, o, 1);
}

// One discriminator epoch (argument 0: logistic regression, the default; 1: MLP, one hidden
// layer of 64) over Adult's 32,561 real rows and as many rows sampled from the counted unit,
// in mini-batches of 256 as in the adversarial phase; warm-started from epoch to epoch.
void BM_DiscriminatorEpoch(benchmark::State& state) {
  const auto& a = adult();
  auto o = counted();
  if (state.range(0) == 1) o.discriminator = meg::DiscriminatorType::Mlp;
  const auto unit = meg::train::GanblrUnit::fit(a.data, a.class_col, o, 1, 1);
  const size_t n = a.data.num_rows(), cols = a.data.num_cols();
  std::vector<meg::data::Code> synthetic(n * cols), row(cols);
  unit.sample(n, 7, synthetic.data(), 1);
  const meg::train::DiscriminatorFeatures features(a.data.cardinality, a.class_col);
  const size_t nnz = features.nnz();
  std::vector<uint32_t> active(2 * n * nnz);
  std::vector<uint8_t> labels(2 * n, 0);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < cols; ++c) row[c] = a.data.columns[c][r];
    features.encode(row.data(), &active[r * nnz]);
    labels[r] = 1;
    features.encode(&synthetic[r * cols], &active[(n + r) * nnz]);
  }
  std::vector<uint32_t> order(2 * n);
  std::iota(order.begin(), order.end(), 0u);
  meg::core::Rng rng(3);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  meg::train::Discriminator disc(features.dim(), nnz, o, 5);
  for (auto _ : state) benchmark::DoNotOptimize(disc.train_epoch(active, labels, order, 256));
  rows_per_second(state, order.size());
}

void BM_FitDefaultOptions(benchmark::State& state) {
  meg::UnitOptions o;
  fit_with(state, o, o.warmup_epochs + o.epochs);
}

void BM_Sample(benchmark::State& state) {
  const auto& a = adult();
  auto unit = meg::train::GanblrUnit::fit(a.data, a.class_col, counted(), 1, 1);
  const size_t n = a.data.num_rows();
  std::vector<uint32_t> rows(n * a.data.num_cols());
  uint64_t seed = 0;
  for (auto _ : state) {
    unit.sample(n, ++seed, rows.data(), 1);
    benchmark::DoNotOptimize(rows.data());
  }
  rows_per_second(state, n);
}

void BM_LogProb(benchmark::State& state) {
  const auto& a = adult();
  auto unit = meg::train::GanblrUnit::fit(a.data, a.class_col, counted(), 1, 1);
  std::vector<double> lp(a.data.num_rows());
  for (auto _ : state) {
    unit.log_prob(a.data, lp.data(), 1);
    benchmark::DoNotOptimize(lp.data());
  }
  rows_per_second(state, a.data.num_rows());
}

BENCHMARK(BM_MutualInfo)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConditionalMutualInfo)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Structure)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LayoutAndCounts)->ArgName("k")->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SmoothCounts)->ArgName("k")->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitCounted)->ArgName("k")->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitOneCllEpoch)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitOneAdversarialEpoch)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DiscriminatorEpoch)->ArgName("mlp")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitDefaultOptions)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Sample)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogProb)->Unit(benchmark::kMillisecond);

}  // namespace
