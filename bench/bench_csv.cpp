// Data-layer micro-benchmarks on Adult (32,561 rows, 3.3 MB): the chunked CSV
// reader (MB/s), the in-memory table, the streaming build of schema + codecs
// (+ codes), and the older in-memory steps (infer, codec fit, encode), and
// decoding codes to CSV text (rows/s). With MEG_BENCH_CSV=FILE, BM_BuildFile
// streams that file (e.g. a 10M-row table) and reports its peak RSS.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "core/file_io.hpp"
#include "core/rng.hpp"
#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/csv_reader.hpp"
#include "data/schema.hpp"
#include "data/table_builder.hpp"

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

// Peak resident memory of the process so far (MB), from /proc/self/status.
double peak_rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
      double kb = 0;
      in >> kb;
      return kb / 1024;
    }
  }
  return 0;
}

void BM_CsvReader(benchmark::State& state) {
  CsvReadOptions o;
  o.block_bytes = static_cast<size_t>(state.range(0));
  o.chunk_rows = 4096;
  CsvChunk chunk;  // reused, as a pass over a file reuses its chunks
  for (auto _ : state) {
    CsvReader reader(memory_source(adult_text()), "adult", o);
    uint64_t rows = 0;
    while (reader.next(chunk)) rows += chunk.num_rows();
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * adult_text().size()));
}
BENCHMARK(BM_CsvReader)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

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

// The streaming build: schema and codecs only (range 0 = 0), or codes too (1); range 1:
// rows per chunk.
void BM_BuildTable(benchmark::State& state) {
  BuildOptions o;
  o.encode = state.range(0) != 0;
  o.read.chunk_rows = static_cast<size_t>(state.range(1));
  o.threads = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(build_table(memory_source(adult_text()), "adult", o));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * adult().num_rows()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * adult_text().size()));
}
BENCHMARK(BM_BuildTable)
    ->Args({0, 8192})
    ->Args({1, 8192})
    ->Args({1, 2048})
    ->Args({1, 65536})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

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

// A large file, streamed once per iteration: `MEG_BENCH_CSV=a10m.csv bench_csv
// --benchmark_filter=BuildFile`. Range 0: 0 = schema only, 1 = with the codes;
// range 1: rows per chunk.
void BM_BuildFile(benchmark::State& state) {
  const char* path = std::getenv("MEG_BENCH_CSV");
  if (!path) {
    state.SkipWithError("set MEG_BENCH_CSV to a CSV file");
    return;
  }
  BuildOptions o;
  o.encode = state.range(0) != 0;
  o.read.chunk_rows = static_cast<size_t>(state.range(1));
  uint64_t rows = 0, bytes = 0;
  for (auto _ : state) {
    const BuiltTable t = build_table(path, o);
    rows = t.rows;
    bytes = 0;
    for (const auto& c : t.data.columns) bytes += c.bytes();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.counters["code_MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["peak_RSS_MB"] = peak_rss_mb();
}
BENCHMARK(BM_BuildFile)
    ->Args({0, 8192})
    ->Args({1, 8192})
    ->Args({1, 2048})
    ->Args({1, 65536})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->MeasureProcessCPUTime();

// The two-pass alternative, for comparison with BM_BuildFile/1: a first pass for the
// schema and codecs only, then a second that encodes every cell with its codec.
void BM_TwoPassFile(benchmark::State& state) {
  const char* path = std::getenv("MEG_BENCH_CSV");
  if (!path) {
    state.SkipWithError("set MEG_BENCH_CSV to a CSV file");
    return;
  }
  BuildOptions o;
  o.encode = false;
  uint64_t rows = 0;
  for (auto _ : state) {
    const BuiltTable t = build_table(path, o);
    CsvReader reader(path);
    std::vector<CodeColumn> codes;
    for (size_t c = 0; c < t.codec.num_cols(); ++c) {
      codes.emplace_back(t.codec.column(c).cardinality());
      codes.back().reserve(t.rows);
    }
    CsvChunk chunk;
    std::vector<Code> buf;
    while (reader.next(chunk)) {
      for (size_t c = 0; c < chunk.num_cols(); ++c) {
        buf.resize(chunk.num_rows());
        for (size_t r = 0; r < chunk.num_rows(); ++r) {
          buf[r] = t.codec.column(c).encode(chunk.field(r, c));
        }
        codes[c].append(std::span<const Code>(buf.data(), buf.size()));
      }
    }
    rows = t.rows;
    benchmark::DoNotOptimize(codes.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.counters["peak_RSS_MB"] = peak_rss_mb();
}
BENCHMARK(BM_TwoPassFile)->Unit(benchmark::kSecond)->Iterations(1)->MeasureProcessCPUTime();

}  // namespace
