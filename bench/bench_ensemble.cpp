// Ensemble micro-benchmarks on Adult: held-out log-likelihood of every unit and
// the EM weights (docs/design.md §6), from a fitted 15-unit model.
#include <benchmark/benchmark.h>

#include <vector>

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "ensemble/meg_model.hpp"
#include "ensemble/weights.hpp"

namespace {

struct Fixture {
  meg::ensemble::MegModel model;
  meg::data::EncodedDataset validation;  // 6,512 rows (20% of Adult train)
  std::vector<std::vector<double>> loglik;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    auto table = meg::data::read_csv(MEG_SOURCE_DIR "/data/adult_train.csv");
    auto schema = meg::data::infer_schema(table);
    meg::FitOptions o;
    o.threads = 1;
    o.refit_full = false;
    Fixture out{meg::ensemble::MegModel::fit(table, schema, o), {}, {}};
    auto all = out.model.codec().encode(table);
    std::vector<meg::data::RowIndex> rows;
    for (size_t r = 0; r < all.num_rows(); r += 5) rows.push_back(static_cast<uint32_t>(r));
    out.validation = meg::data::DatasetView(all, rows).materialize();
    for (const auto& unit : out.model.units()) {
      out.loglik.emplace_back(out.validation.num_rows());
      unit.log_prob(out.validation, out.loglik.back().data(), 1);
    }
    return out;
  }();
  return f;
}

void BM_UnitLogLik(benchmark::State& state) {
  const Fixture& f = fixture();
  std::vector<double> out(f.validation.num_rows());
  for (auto _ : state) {
    for (const auto& unit : f.model.units()) unit.log_prob(f.validation, out.data(), 1);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * f.validation.num_rows() * f.model.units().size()));
}
BENCHMARK(BM_UnitLogLik)->Unit(benchmark::kMillisecond);

void BM_EmWeights(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(meg::ensemble::em_weights(f.loglik));
  state.counters["units"] = static_cast<double>(f.loglik.size());
  state.counters["rows"] = static_cast<double>(f.validation.num_rows());
}
BENCHMARK(BM_EmWeights)->Unit(benchmark::kMillisecond);

}  // namespace
