// Data-layer micro-benchmarks on Adult: CSV parse/format (MB/s), schema
// inference, codec fit, encode and decode (rows/s).
#include <benchmark/benchmark.h>

#include <string>

#include "core/file_io.hpp"
#include "core/rng.hpp"
#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"

using namespace meg::data;

namespace {

const std::string& adult_text() {
  static const std::string text = meg::core::read_file(MEG_SOURCE_DIR "/data/adult_train.csv");
  return text;
}
const CsvTable& adult() {
  static const CsvTable t = parse_csv(adult_text(), "adult");
  return t;
}

void BM_CsvParse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parse_csv(adult_text(), "adult"));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * adult_text().size()));
}
BENCHMARK(BM_CsvParse)->Unit(benchmark::kMillisecond);

void BM_CsvFormat(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(format_csv(adult()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * adult_text().size()));
}
BENCHMARK(BM_CsvFormat)->Unit(benchmark::kMillisecond);

void BM_InferSchema(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(infer_schema(adult()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * adult().num_rows()));
}
BENCHMARK(BM_InferSchema)->Unit(benchmark::kMillisecond);

void BM_CodecFitQuantile(benchmark::State& state) {
  Schema s = infer_schema(adult());
  for (auto _ : state) benchmark::DoNotOptimize(TableCodec::fit(adult(), s, 0));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * adult().num_rows()));
}
BENCHMARK(BM_CodecFitQuantile)->Unit(benchmark::kMillisecond);

void BM_Encode(benchmark::State& state) {
  TableCodec codec = TableCodec::fit(adult(), infer_schema(adult()), 0);
  for (auto _ : state) benchmark::DoNotOptimize(codec.encode(adult()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * adult().num_rows()));
}
BENCHMARK(BM_Encode)->Unit(benchmark::kMillisecond);

void BM_DecodeToCsv(benchmark::State& state) {
  TableCodec codec = TableCodec::fit(adult(), infer_schema(adult()), 0);
  EncodedDataset ds = codec.encode(adult());
  const size_t n = ds.num_rows(), d = ds.num_cols();
  std::vector<Code> rows(n * d);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < d; ++c) rows[r * d + c] = ds.columns[c][r];
  }
  meg::core::Rng rng(1);
  std::string out;
  for (auto _ : state) {
    out.clear();
    codec.decode_rows(rows.data(), n, rng, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["cells/s"] = benchmark::Counter(static_cast<double>(state.iterations() * n * d),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeToCsv)->Unit(benchmark::kMillisecond);

}  // namespace
