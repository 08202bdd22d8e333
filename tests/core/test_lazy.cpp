#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/lazy.hpp"

namespace meg::core {
namespace {

TEST(Lazy, BuildsOnceWhenManyThreadsAskTogether) {
  Lazy<std::vector<int>> lazy;
  std::atomic<int> builds{0};
  std::vector<std::thread> pool;
  std::vector<const std::vector<int>*> seen(8, nullptr);
  for (size_t t = 0; t < seen.size(); ++t) {
    pool.emplace_back([&, t] {
      seen[t] = &lazy.get([&] {
        ++builds;
        std::this_thread::yield();
        return std::vector<int>(1000, 7);
      });
    });
  }
  for (auto& t : pool) t.join();
  EXPECT_EQ(builds.load(), 1);
  for (const auto* v : seen) EXPECT_EQ(v, seen[0]);
  EXPECT_EQ(seen[0]->size(), 1000u);
}

TEST(Lazy, ResetRebuildsAndCopiesKeepTheValue) {
  Lazy<int> lazy;
  int builds = 0;
  auto build = [&] { return ++builds * 10; };
  EXPECT_FALSE(lazy.ready());
  EXPECT_EQ(lazy.get(build), 10);
  EXPECT_EQ(lazy.get(build), 10);
  Lazy<int> copy = lazy;
  EXPECT_TRUE(copy.ready());
  EXPECT_EQ(copy.get(build), 10);
  lazy.reset();
  EXPECT_FALSE(lazy.ready());
  EXPECT_EQ(lazy.get(build), 20);
  Lazy<int> moved = std::move(lazy);
  EXPECT_EQ(moved.get(build), 20);
  EXPECT_FALSE(lazy.ready());  // NOLINT(bugprone-use-after-move): a moved-from Lazy is empty
  lazy.set(5);
  EXPECT_EQ(lazy.get(build), 5);
  EXPECT_EQ(builds, 2);
}

}  // namespace
}  // namespace meg::core
