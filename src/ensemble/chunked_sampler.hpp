// The one sampling pipeline of an ensemble, shared by plain and conditional
// sampling: n rows are split into fixed chunks of kChunkRows; each chunk gets its
// share of every unit's rows (largest remainder of what is left, so totals are
// exact), draws them, interleaves them by a seeded shuffle and decodes them to CSV
// text. Worker threads make the chunks in order, at most 2 x threads ahead of the
// writer, which hands them to the sink in order while the next ones are made (so
// memory is a few chunks, whatever n); every random stream is derived from (seed,
// stream id, chunk[, unit]), so output never depends on the thread count.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace meg::ensemble {

inline constexpr size_t kChunkRows = 1 << 15;

struct ChunkStreams {
  uint64_t sample;   // per (chunk, unit): the unit's rows
  uint64_t shuffle;  // per chunk: the interleaving
  uint64_t decode;   // per chunk: codes -> text
};

// Rows per unit for every chunk of n rows mixed with weights w.
std::vector<std::vector<uint64_t>> chunk_plan(const std::vector<double>& w, uint64_t n);

using DrawUnitFn = std::function<void(size_t unit, uint64_t rows, uint64_t seed, data::Code* out)>;
// first_row: the chunk's first row in the whole sample (id columns number rows by it).
using DecodeFn = std::function<void(const data::Code* codes, size_t rows, uint64_t first_row,
                                    core::Rng& rng, std::string& out)>;

// An optional selection of a chunk's rows (ensemble/discriminator_resample.hpp): the chunk
// draws `factor` x its rows, and `pick` keeps `keep` of the n drawn (indices ascending),
// with randomness from `seed` only (the chunk's own stream), on up to `threads` threads
// (the same picks at any count).
struct ChunkSelect {
  uint32_t factor = 1;
  std::function<void(const data::Code* rows, size_t n, size_t keep, uint64_t seed,
                     std::vector<uint32_t>& picked, int threads)>
      pick;
};

using TextSink = std::function<void(const std::string&)>;
// Told the rows handed to the sink so far, after each chunk (progress).
using RowsWritten = std::function<void(uint64_t rows)>;
using TextSource = std::function<void(const TextSink&)>;

// What `produce` hands its sink: gathered into one string, or written to `path`
// atomically ("-" = stdout) piece by piece.
std::string collect_text(const TextSource& produce);
void write_text_file(const std::string& path, const TextSource& produce);

// The chunks [begin, end) of a sample (clamped to its chunks): a rank of a distributed
// sample (src/dist) makes its consecutive share; every chunk is the same whoever makes it.
struct ChunkRange {
  uint64_t begin = 0, end = UINT64_MAX;
};

void sample_chunked(const std::vector<double>& weights, size_t num_cols, uint64_t n, uint64_t seed,
                    int threads, const ChunkStreams& streams, const DrawUnitFn& draw_unit,
                    const DecodeFn& decode, const TextSink& sink, const RowsWritten& written = {},
                    ChunkRange range = {}, const ChunkSelect& select = {});

}  // namespace meg::ensemble
