// One GANBLR unit on Adult (class income, k = 2), phase by phase, single thread:
// structure learning, layout + hierarchical counts, one CLL epoch, one adversarial
// epoch, sampling 32,561 rows, log p of every row, and the whole fit with default
// options. Rows/s and epochs/s are reported as counters.
#include <benchmark/benchmark.h>

#include <string>

#include "bn/cpt.hpp"
#include "bn/kdb_model.hpp"
#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
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

void BM_Structure(benchmark::State& state) {
  const auto& a = adult();
  for (auto _ : state) {
    auto s = meg::bn::KdbStructure::learn(a.data, a.class_col, 2, 100000, 1);
    benchmark::DoNotOptimize(s.order.data());
  }
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(a.data.num_rows()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_LayoutAndCounts(benchmark::State& state) {
  const auto& a = adult();
  auto s = meg::bn::KdbStructure::learn(a.data, a.class_col, 2, 100000, 1);
  for (auto _ : state) {
    auto layout = meg::bn::KdbLayout::build(s, a.data.cardinality, a.data);
    auto p = meg::bn::fit_counts(layout, a.data, {});
    benchmark::DoNotOptimize(p.counts.counts.data());
  }
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(a.data.num_rows()), benchmark::Counter::kIsIterationInvariantRate);
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

// Also reports the unit's in-memory parameter bytes and its serialised (CBOR) size.
void BM_FitCounted(benchmark::State& state) {
  fit_with(state, counted(), 0);
  const auto& a = adult();
  auto unit = meg::train::GanblrUnit::fit(a.data, a.class_col, counted(), 1, 1);
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
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_LogProb(benchmark::State& state) {
  const auto& a = adult();
  auto unit = meg::train::GanblrUnit::fit(a.data, a.class_col, counted(), 1, 1);
  std::vector<double> lp(a.data.num_rows());
  for (auto _ : state) {
    unit.log_prob(a.data, lp.data(), 1);
    benchmark::DoNotOptimize(lp.data());
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(a.data.num_rows()),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_Structure)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LayoutAndCounts)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitCounted)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitOneCllEpoch)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitOneAdversarialEpoch)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FitDefaultOptions)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Sample)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogProb)->Unit(benchmark::kMillisecond);

}  // namespace
