// The sampling pipeline: chunks made by workers ahead of the writer give the same
// bytes for any thread count, reach the sink in order with their row counts, and an
// error in a chunk or in the sink ends the run (no hang) with that error.
#include <gtest/gtest.h>

#include <algorithm>
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
                int fail_chunk = -1, int fail_sink_after = -1) {
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
      });
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
