#include "ensemble/chunked_sampler.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

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

// Buffers one worker reuses from chunk to chunk.
struct ChunkScratch {
  std::vector<data::Code> block, codes;
  std::vector<uint32_t> order;
  std::vector<size_t> at;
};

// The threads a chunk's draws and selection may use: those no other chunk holds, and at
// least two (the last chunks would otherwise run alone while the other threads wait).
struct ChunkThreads {
  int total = 1;
  const std::atomic<int>* busy = nullptr;  // chunks being made; null: this one alone
  int now() const {
    if (total <= 1) return 1;
    const int others = busy != nullptr ? busy->load(std::memory_order_relaxed) - 1 : 0;
    return std::max(2, total - std::max(0, others));
  }
};

// The shuffled codes of one chunk (row-major, num_cols per row) in scratch.codes.
void draw_chunk(uint64_t chunk, const std::vector<uint64_t>& counts, size_t num_cols, uint64_t seed,
                const ChunkStreams& streams, const DrawUnitFn& draw_unit, const ChunkSelect& select,
                const ChunkThreads& threads, ChunkScratch& scratch) {
  const uint64_t rows = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  const uint64_t factor = select.pick ? std::max<uint32_t>(1, select.factor) : 1;
  scratch.block.resize(rows * factor * num_cols);
  // Each unit's rows at its offset (units in order), the units drawn in parallel: each
  // draw depends on (seed, chunk, unit) only.
  auto& at = scratch.at;
  at.assign(counts.size() + 1, 0);
  for (size_t u = 0; u < counts.size(); ++u) at[u + 1] = at[u] + counts[u] * factor;
  core::parallel_for(counts.size(), threads.now(), [&](size_t u) {
    if (counts[u] == 0) return;
    draw_unit(u, counts[u] * factor, core::derive_seed(seed, {streams.sample, chunk, u}),
              scratch.block.data() + at[u] * num_cols);
  });
  // The rows kept (all, or the selection's), interleaved by a seeded shuffle of the chunk.
  auto& order = scratch.order;
  if (factor > 1) {
    select.pick(scratch.block.data(), at.back(), rows,
                core::derive_seed(seed, {streams.shuffle, chunk, 1}), order, threads.now());
  } else {
    order.resize(rows);
    std::iota(order.begin(), order.end(), 0);
  }
  core::Rng rng(core::derive_seed(seed, {streams.shuffle, chunk}));
  for (size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  scratch.codes.resize(rows * num_cols);
  for (size_t r = 0; r < rows; ++r) {
    std::copy_n(scratch.block.data() + static_cast<size_t>(order[r]) * num_cols, num_cols,
                scratch.codes.data() + r * num_cols);
  }
}

// The CSV text of chunk `chunk`: drawn, shuffled and decoded (the same whoever makes it).
void make_chunk(uint64_t chunk, const std::vector<uint64_t>& counts, size_t num_cols, uint64_t seed,
                const ChunkStreams& streams, const DrawUnitFn& draw_unit, const DecodeFn& decode,
                const ChunkSelect& select, const ChunkThreads& threads, ChunkScratch& scratch,
                std::string& text) {
  draw_chunk(chunk, counts, num_cols, seed, streams, draw_unit, select, threads, scratch);
  core::Rng rng(core::derive_seed(seed, {streams.decode, chunk}));
  text.clear();
  text.reserve(scratch.codes.size() * 8);
  decode(scratch.codes.data(), scratch.codes.size() / std::max<size_t>(1, num_cols),
         chunk * kChunkRows, rng, text);
}

}  // namespace

void sample_chunked(const std::vector<double>& weights, size_t num_cols, uint64_t n, uint64_t seed,
                    int threads, const ChunkStreams& streams, const DrawUnitFn& draw_unit,
                    const DecodeFn& decode, const TextSink& sink, const RowsWritten& written,
                    ChunkRange range, const ChunkSelect& select) {
  if (n == 0) return;
  const auto plan = chunk_plan(weights, n);
  const size_t chunks = std::min<uint64_t>(plan.size(), range.end);  // one past the last made
  const size_t first = std::min<uint64_t>(range.begin, chunks);
  if (first == chunks) return;
  const size_t workers = std::min<size_t>(
      static_cast<size_t>(std::max(1, core::resolve_threads(threads))), chunks - first);
  uint64_t rows_out = 0;
  auto deliver = [&](size_t chunk, const std::string& text) {
    sink(text);
    rows_out += std::accumulate(plan[chunk].begin(), plan[chunk].end(), uint64_t{0});
    if (written) written(rows_out);
  };
  const int total = std::max(1, core::resolve_threads(threads));
  if (workers <= 1) {
    ChunkScratch scratch;
    std::string text;
    for (size_t c = first; c < chunks; ++c) {
      make_chunk(c, plan[c], num_cols, seed, streams, draw_unit, decode, select, {total}, scratch,
                 text);
      deliver(c, text);
    }
    return;
  }
  // Workers take chunks in order and fill a window of 2 x workers slots; this thread
  // writes the slots in order and frees them. At most the window is held in memory.
  const size_t window = 2 * workers;
  std::vector<std::string> slots(window);
  std::vector<char> ready(window, 0);
  std::mutex mutex;
  std::condition_variable changed;
  size_t next = first;       // the next chunk a worker takes
  size_t delivered = first;  // chunks written so far (counted from chunk 0)
  bool stop = false;
  std::exception_ptr error;
  size_t error_chunk = chunks;
  std::atomic<int> busy{0};
  const ChunkThreads chunk_threads{total, &busy};
  auto work = [&] {
    ChunkScratch scratch;
    std::string text;
    while (true) {
      size_t c;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stop || next >= chunks || next < delivered + window; });
        if (stop || next >= chunks) return;
        c = next++;
        text.swap(slots[c % window]);  // reuse the slot's buffer
      }
      busy.fetch_add(1, std::memory_order_relaxed);
      try {
        make_chunk(c, plan[c], num_cols, seed, streams, draw_unit, decode, select, chunk_threads,
                   scratch, text);
      } catch (...) {
        busy.fetch_sub(1, std::memory_order_relaxed);
        std::lock_guard<std::mutex> lock(mutex);
        if (c < error_chunk) {
          error_chunk = c;
          error = std::current_exception();
        }
        stop = true;
        changed.notify_all();
        return;
      }
      busy.fetch_sub(1, std::memory_order_relaxed);
      std::lock_guard<std::mutex> lock(mutex);
      slots[c % window].swap(text);
      ready[c % window] = 1;
      changed.notify_all();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (size_t t = 0; t < workers; ++t) pool.emplace_back(work);
  try {
    for (size_t c = first; c < chunks; ++c) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stop || ready[c % window]; });
        if (stop && !ready[c % window]) break;
      }
      deliver(c, slots[c % window]);  // the slot is not touched by workers until freed
      std::lock_guard<std::mutex> lock(mutex);
      ready[c % window] = 0;
      ++delivered;
      changed.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!error) error = std::current_exception();
    error_chunk = first;
    stop = true;
    changed.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop = true;
    changed.notify_all();
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace meg::ensemble
