#include "ensemble/chunked_sampler.hpp"

#include <algorithm>
#include <numeric>

#include "core/file_io.hpp"
#include "core/parallel.hpp"
#include "ensemble/weights.hpp"

namespace meg::ensemble {

std::string collect_text(const TextSource& produce) {
  std::string out;
  produce([&](const std::string& t) { out += t; });
  return out;
}

void write_text_file(const std::string& path, const TextSource& produce) {
  core::AtomicFile file(path);
  produce([&](const std::string& t) { file.write(t); });
  file.commit();
}

std::vector<std::vector<uint64_t>> chunk_plan(const std::vector<double>& w, uint64_t n) {
  std::vector<uint64_t> remaining = largest_remainder(w, n);
  const uint64_t chunks = (n + kChunkRows - 1) / kChunkRows;
  std::vector<std::vector<uint64_t>> plan(chunks);
  uint64_t left = n;
  for (uint64_t c = 0; c < chunks; ++c) {
    const uint64_t rows = std::min<uint64_t>(kChunkRows, left);
    std::vector<double> share(remaining.begin(), remaining.end());
    // Shares rows * remaining_u / left never exceed remaining_u, so neither do the counts.
    plan[c] = largest_remainder(share, rows);
    for (size_t u = 0; u < remaining.size(); ++u) remaining[u] -= plan[c][u];
    left -= rows;
  }
  return plan;
}

namespace {

// The shuffled codes of one chunk (row-major, num_cols per row).
void draw_chunk(uint64_t chunk, const std::vector<uint64_t>& counts, size_t num_cols, uint64_t seed,
                const ChunkStreams& streams, const DrawUnitFn& draw_unit,
                std::vector<data::Code>& out) {
  const uint64_t rows = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  std::vector<data::Code> block(rows * num_cols);
  size_t at = 0;
  for (size_t u = 0; u < counts.size(); ++u) {
    if (counts[u] == 0) continue;
    draw_unit(u, counts[u], core::derive_seed(seed, {streams.sample, chunk, u}),
              block.data() + at * num_cols);
    at += counts[u];
  }
  // Interleave the units' rows: a seeded shuffle of the chunk.
  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0);
  core::Rng rng(core::derive_seed(seed, {streams.shuffle, chunk}));
  for (size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  out.resize(rows * num_cols);
  for (size_t r = 0; r < rows; ++r) {
    std::copy_n(block.data() + static_cast<size_t>(order[r]) * num_cols, num_cols,
                out.data() + r * num_cols);
  }
}

}  // namespace

void sample_chunked(const std::vector<double>& weights, size_t num_cols, uint64_t n, uint64_t seed,
                    int threads, const ChunkStreams& streams, const DrawUnitFn& draw_unit,
                    const DecodeFn& decode, const TextSink& sink) {
  if (n == 0) return;
  const auto plan = chunk_plan(weights, n);
  const int workers = core::resolve_threads(threads);
  const size_t batch = static_cast<size_t>(std::max(1, workers)) * 2;
  std::vector<std::string> texts;
  for (size_t first = 0; first < plan.size(); first += batch) {
    const size_t count = std::min(batch, plan.size() - first);
    texts.assign(count, std::string());
    core::parallel_for(count, workers, [&](size_t i) {
      const uint64_t chunk = first + i;
      std::vector<data::Code> codes;
      draw_chunk(chunk, plan[chunk], num_cols, seed, streams, draw_unit, codes);
      core::Rng rng(core::derive_seed(seed, {streams.decode, chunk}));
      texts[i].reserve(codes.size() * 8);
      decode(codes.data(), codes.size() / std::max<size_t>(1, num_cols), rng, texts[i]);
    });
    for (const auto& t : texts) sink(t);
  }
}

}  // namespace meg::ensemble
