#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "core/parallel.hpp"

using meg::core::parallel_for;

TEST(ParallelFor, RunsEveryTaskOnceWhateverTheThreadCount) {
  for (int threads : {1, 2, 4}) {
    std::vector<int> hits(1000, 0);
    parallel_for(hits.size(), threads, [&](size_t i) { hits[i] += 1; });
    for (int h : hits) ASSERT_EQ(h, 1);
  }
}

TEST(ParallelFor, RethrowsTheLowestFailingTask) {
  for (int threads : {1, 2}) {
    try {
      parallel_for(100, threads, [](size_t i) {
        if (i == 3) throw std::runtime_error("task 3");
      });
      FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "task 3");
    }
  }
}
