// The sampling pipeline: chunks made by workers ahead of the writer give the same
// bytes for any thread count, reach the sink in order with their row counts, and an
// error in a chunk or in the sink ends the run (no hang) with that error.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "ensemble/chunked_sampler.hpp"

using meg::ensemble::kChunkRows;
using meg::ensemble::sample_chunked;

namespace {

// A stand-in ensemble: unit u draws codes (u, random) per row; decoding writes them.
std::string run(uint64_t n, int threads, std::vector<uint64_t>* written = nullptr,
                int fail_chunk = -1, int fail_sink_after = -1,
                meg::ensemble::ChunkRange range = {}) {
  // fail_chunk: rows of the chunk whose decoding throws; fail_sink_after: sink calls
  // before the sink throws.
  const std::vector<double> weights = {0.5, 0.3, 0.2};
  std::string out;
  int sinks = 0;
  sample_chunked(
      weights, 2, n, 42, threads, {11, 12, 13},
      [&](size_t u, uint64_t rows, uint64_t seed, meg::data::Code* codes) {
        meg::core::Rng rng(seed);
        for (uint64_t r = 0; r < rows; ++r) {
          codes[2 * r] = static_cast<meg::data::Code>(u);
          codes[2 * r + 1] = static_cast<meg::data::Code>(rng.below(1000));
        }
      },
      [&](const meg::data::Code* codes, size_t rows, uint64_t, meg::core::Rng& rng,
          std::string& text) {
        for (size_t r = 0; r < rows; ++r) {
          text += std::to_string(codes[2 * r]) + "," + std::to_string(codes[2 * r + 1]) + "," +
                  std::to_string(rng.below(10)) + "\n";
        }
        // A chunk of `fail_chunk` rows (the short last one) fails.
        if (fail_chunk >= 0 && static_cast<int>(rows) == fail_chunk) {
          throw std::runtime_error("decode failed");
        }
      },
      [&](const std::string& t) {
        if (fail_sink_after >= 0 && sinks++ == fail_sink_after) {
          throw std::runtime_error("sink failed");
        }
        out += t;
      },
      [&](uint64_t rows) {
        if (written) written->push_back(rows);
      },
      range);
  return out;
}

}  // namespace

TEST(ChunkedSampler, SameBytesForAnyThreadCount) {
  const uint64_t n = kChunkRows * 9 + 5;  // ten chunks, the last one short
  const std::string one = run(n, 1);
  EXPECT_EQ(std::count(one.begin(), one.end(), '\n'), static_cast<long>(n));
  for (int threads : {2, 3, 5, 16}) EXPECT_TRUE(run(n, threads) == one) << threads;
}

TEST(ChunkedSampler, ReportsTheRowsWrittenInOrder) {
  std::vector<uint64_t> written;
  const uint64_t n = kChunkRows * 4 + 7;
  run(n, 3, &written);
  ASSERT_EQ(written.size(), 5u);
  for (size_t i = 0; i + 1 < written.size(); ++i) EXPECT_EQ(written[i], kChunkRows * (i + 1));
  EXPECT_EQ(written.back(), n);
}

TEST(ChunkedSampler, AnErrorInAChunkOrTheSinkEndsTheRun) {
  const uint64_t n = kChunkRows * 8 + 3;
  // The last (short) chunk of 3 rows fails to decode.
  for (int threads : {1, 2, 4}) {
    EXPECT_THROW(run(n, threads, nullptr, 3), std::runtime_error) << threads;
  }
  // The sink fails on its fourth chunk, while workers are ahead of it.
  for (int threads : {1, 2, 4}) {
    try {
      run(n, threads, nullptr, -1, 3);
      FAIL() << "no error";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "sink failed");
    }
  }
}

// The parts of a distributed sample (src/dist): consecutive chunk ranges, concatenated in
// order, are the whole sample, for any thread count; a range past the end is empty.
TEST(ChunkedSampler, ChunkRangesConcatenateToTheWholeSample) {
  const uint64_t n = kChunkRows * 6 + 11;  // seven chunks
  const std::string whole = run(n, 1);
  for (int threads : {1, 3}) {
    const std::string parts =
        run(n, threads, nullptr, -1, -1, {0, 2}) + run(n, threads, nullptr, -1, -1, {2, 3}) +
        run(n, threads, nullptr, -1, -1, {3, 3}) + run(n, threads, nullptr, -1, -1, {3, 100});
    EXPECT_TRUE(parts == whole) << threads;
  }
  EXPECT_EQ(run(n, 2, nullptr, -1, -1, {7, 9}), "");
  std::vector<uint64_t> written;
  run(n, 2, &written, -1, -1, {5, 7});
  EXPECT_EQ(written, (std::vector<uint64_t>{kChunkRows, kChunkRows + 11}));
}

namespace {

// Five units drawn three times over, a selection keeping a chunk's rows with the smallest
// scrambled codes; unit `fail_unit` throws in a full chunk. `offered`: the most threads a
// selection was given.
std::string run_selected(uint64_t n, int threads, std::atomic<int>* offered, int fail_unit = -1) {
  const std::vector<double> weights = {0.3, 0.25, 0.2, 0.15, 0.1};
  std::string out;
  meg::ensemble::ChunkSelect select;
  select.factor = 3;
  select.pick = [&](const meg::data::Code* rows, size_t m, size_t keep, uint64_t seed,
                    std::vector<uint32_t>& picked, int t) {
    int seen = offered->load();
    while (seen < t && !offered->compare_exchange_weak(seen, t)) {
    }
    std::vector<uint64_t> key(m);
    for (size_t i = 0; i < m; ++i) key[i] = (rows[2 * i + 1] * 2654435761ULL) ^ seed;
    picked.resize(m);
    for (size_t i = 0; i < m; ++i) picked[i] = static_cast<uint32_t>(i);
    std::stable_sort(picked.begin(), picked.end(),
                     [&](uint32_t a, uint32_t b) { return key[a] < key[b]; });
    picked.resize(keep);
    std::sort(picked.begin(), picked.end());
  };
  sample_chunked(
      weights, 2, n, 7, threads, {21, 22, 23},
      [&](size_t u, uint64_t rows, uint64_t seed, meg::data::Code* codes) {
        if (static_cast<int>(u) == fail_unit && rows > 10000) {
          throw std::runtime_error("unit " + std::to_string(u) + " failed");
        }
        meg::core::Rng rng(seed);
        for (uint64_t r = 0; r < rows; ++r) {
          codes[2 * r] = static_cast<meg::data::Code>(u);
          codes[2 * r + 1] = static_cast<meg::data::Code>(rng.below(100000));
        }
      },
      [&](const meg::data::Code* codes, size_t rows, uint64_t, meg::core::Rng&, std::string& text) {
        for (size_t r = 0; r < rows; ++r) {
          text += std::to_string(codes[2 * r]) + "," + std::to_string(codes[2 * r + 1]) + "\n";
        }
      },
      [&](const std::string& t) { out += t; }, {}, {}, select);
  return out;
}

}  // namespace

// A chunk's units are drawn, and its selection made, on the threads no other chunk holds
// (at least two): the same bytes at any count, one chunk or many.
TEST(ChunkedSampler, SelectedChunksAreTheSameAtAnyThreadCount) {
  for (uint64_t n : {uint64_t{1000}, kChunkRows * 3 + 100}) {
    std::atomic<int> offered{0};
    const std::string one = run_selected(n, 1, &offered);
    EXPECT_EQ(offered.load(), 1);
    EXPECT_EQ(std::count(one.begin(), one.end(), '\n'), static_cast<long>(n));
    for (int threads : {2, 3, 8}) {
      offered = 0;
      EXPECT_TRUE(run_selected(n, threads, &offered) == one) << n << " " << threads;
      EXPECT_GE(offered.load(), 2) << threads;
      EXPECT_LE(offered.load(), threads) << threads;
    }
  }
}

// A unit's draw that throws, on the chunk's threads, ends the run with its error.
TEST(ChunkedSampler, AUnitDrawThatThrowsEndsTheRun) {
  for (int threads : {1, 2, 4}) {
    std::atomic<int> offered{0};
    try {
      run_selected(kChunkRows * 3 + 100, threads, &offered, 2);
      FAIL() << "no error";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "unit 2 failed") << threads;
    }
  }
}
