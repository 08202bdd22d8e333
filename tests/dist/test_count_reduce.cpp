// The sum of a unit's counts across processes (bn::reduce_unit_counts, the hook of a
// distributed fit): p "processes" (threads here, each with its own reducer exchanging
// through shared memory; no MPI) each count their share of the rows (dist::rank_share)
// and reduce; every one of them must then hold exactly the counts one process makes
// over all rows: tables summed dense and merged sparse (few rows for their cells, and
// a feature over high-cardinality parents), with a mask and without, unbalanced shares
// and processes with no rows.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "bn/count_reduce.hpp"
#include "bn/cpt.hpp"
#include "core/rng.hpp"
#include "dist/mpi_reducer.hpp"

namespace meg::test {
namespace {

// What the threads exchange: each deposits its buffer, waits for all, reads all.
class Exchange {
 public:
  explicit Exchange(int p) : p_(p), slots_(static_cast<size_t>(p)) {}
  std::vector<std::vector<uint8_t>> all(int rank, std::vector<uint8_t> mine) {
    std::unique_lock<std::mutex> lock(mutex_);
    slots_[static_cast<size_t>(rank)] = std::move(mine);
    barrier(lock);
    std::vector<std::vector<uint8_t>> out = slots_;
    barrier(lock);
    return out;
  }

 private:
  void barrier(std::unique_lock<std::mutex>& lock) {
    const uint64_t gen = generation_;
    if (++arrived_ == p_) {
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
    } else {
      cv_.wait(lock, [&] { return generation_ != gen; });
    }
  }
  int p_, arrived_ = 0;
  uint64_t generation_ = 0;
  std::vector<std::vector<uint8_t>> slots_;
  std::mutex mutex_;
  std::condition_variable cv_;
};

class ThreadReducer final : public core::CountReducer {
 public:
  ThreadReducer(Exchange& ex, int rank, int p) : ex_(ex), rank_(rank), p_(p) {}
  std::pair<size_t, size_t> share(size_t rows) const override {
    return dist::rank_share(rows, rank_, p_);
  }
  void sum(std::span<uint32_t> counts) override { add(counts); }
  void sum(std::span<uint64_t> counts) override { add(counts); }
  std::vector<std::vector<uint8_t>> allgather(std::span<const uint8_t> bytes) override {
    return ex_.all(rank_, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }

 private:
  template <class T>
  void add(std::span<T> counts) {
    std::vector<uint8_t> mine(counts.size_bytes());
    std::memcpy(mine.data(), counts.data(), mine.size());
    std::fill(counts.begin(), counts.end(), T{0});
    for (const auto& other : ex_.all(rank_, std::move(mine))) {
      std::vector<T> v(counts.size());
      std::memcpy(v.data(), other.data(), other.size());
      for (size_t i = 0; i < counts.size(); ++i) counts[i] += v[i];
    }
  }
  Exchange& ex_;
  int rank_, p_;
};

// Columns: class (3), x (5), a (7), b (300), h1 (1200), h2 (1100); random codes.
data::EncodedDataset table(size_t n, uint64_t seed) {
  const std::vector<uint32_t> card = {3, 5, 7, 300, 1200, 1100};
  core::Rng rng(seed);
  std::vector<std::vector<data::Code>> cols(card.size(), std::vector<data::Code>(n));
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < card.size(); ++c) {
      // x depends on a, so that the counts are not uniform.
      cols[c][r] = c == 1 && r % 3 == 0 ? cols[2][r > 0 ? r - 1 : 0] % card[1]
                                        : static_cast<data::Code>(rng.below(card[c]));
    }
  }
  return data::EncodedDataset::from_columns({"y", "x", "a", "b", "h1", "h2"}, card, cols);
}

// x | a, b (dense, 31,500 cells); a | b (dense); b (no parents); h1 | b (dense, 1.08M);
// h2 | h1, b (1.2 * 10^9 cells: sparse).
bn::KdbStructure structure() {
  bn::KdbStructure s;
  s.class_col = 0;
  s.num_cols = 6;
  s.order = {3, 2, 1, 4, 5};
  s.parents = {{}, {2, 3}, {3}, {}, {3}, {4, 3}};
  return s;
}

struct Counted {
  std::vector<bn::FeatureCounts> features;
  std::vector<uint64_t> all, masked;
};

Counted count(const data::DatasetView& view, const uint8_t* mask, const bn::KdbStructure& s) {
  Counted out;
  for (uint32_t col : s.order) {
    out.features.push_back(
        bn::count_feature(view, view.cardinality(), s.parents[col], 0, col, mask));
  }
  out.all.assign(view.cardinality()[0], 0);
  out.masked.assign(view.cardinality()[0], 0);
  for (size_t i = 0; i < view.num_rows(); ++i) {
    ++out.all[view.code(0, i)];
    if (mask && mask[i]) ++out.masked[view.code(0, i)];
  }
  return out;
}

void expect_same(const Counted& got, const Counted& want) {
  ASSERT_EQ(got.features.size(), want.features.size());
  for (size_t f = 0; f < want.features.size(); ++f) {
    EXPECT_EQ(got.features[f].config, want.features[f].config) << "feature " << f;
    EXPECT_EQ(got.features[f].cls, want.features[f].cls) << "feature " << f;
    EXPECT_EQ(got.features[f].value, want.features[f].value) << "feature " << f;
    EXPECT_EQ(got.features[f].all, want.features[f].all) << "feature " << f;
    EXPECT_EQ(got.features[f].masked, want.features[f].masked) << "feature " << f;
  }
  EXPECT_EQ(got.all, want.all);
  EXPECT_EQ(got.masked, want.masked);
}

void check(size_t n, int p, bool with_mask) {
  SCOPED_TRACE(testing::Message() << n << " rows, " << p << " processes, mask " << with_mask);
  const data::EncodedDataset data = table(n, n * 31 + static_cast<uint64_t>(p));
  const bn::KdbStructure s = structure();
  const std::vector<uint8_t> mask = bn::held_out_mask(n, 7);
  const uint8_t* m = with_mask ? mask.data() : nullptr;
  const Counted want = count(data, m, s);
  Exchange ex(p);
  std::vector<Counted> got(static_cast<size_t>(p));
  std::vector<std::thread> threads;
  for (int r = 0; r < p; ++r) {
    threads.emplace_back([&, r] {
      ThreadReducer reducer(ex, r, p);
      const auto [begin, end] = reducer.share(n);
      Counted& mine = got[static_cast<size_t>(r)];
      mine = count(data::DatasetView(data).slice(begin, end), m ? m + begin : nullptr, s);
      bn::reduce_unit_counts(reducer, s, data.cardinality, with_mask, mine.features, mine.all,
                             mine.masked);
    });
  }
  for (auto& t : threads) t.join();
  for (int r = 0; r < p; ++r) {
    SCOPED_TRACE(testing::Message() << "process " << r);
    expect_same(got[static_cast<size_t>(r)], want);
  }
}

TEST(DistCountReduce, SumsOfSharesEqualOneProcessCounts) {
  for (bool with_mask : {true, false}) {
    check(5003, 1, with_mask);
    check(5003, 2, with_mask);
    check(10007, 3, with_mask);
    check(2, 4, with_mask);       // two processes count no row
    check(200003, 2, with_mask);  // more tables dense (their cells occur)
  }
}

TEST(DistCountReduce, SharesCoverTheRowsInOrder) {
  for (size_t n :
       {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{1000003}, size_t{4294967295}}) {
    for (int p : {1, 2, 3, 5}) {
      size_t at = 0;
      for (int r = 0; r < p; ++r) {
        const auto [b, e] = dist::rank_share(n, r, p);
        EXPECT_EQ(b, at);
        EXPECT_LE(b, e);
        EXPECT_LE(e - b, n / static_cast<size_t>(p) + 1);
        at = e;
      }
      EXPECT_EQ(at, n);
    }
  }
}

TEST(DistCountReduce, SliceOfAViewIsItsRows) {
  const data::EncodedDataset data = table(100, 3);
  const data::DatasetView whole(data);
  const data::DatasetView part = whole.slice(10, 40).slice(5, 20);
  ASSERT_EQ(part.num_rows(), 15u);
  EXPECT_FALSE(part.is_whole());
  EXPECT_TRUE(whole.slice(0, 100).is_whole());
  std::vector<data::RowIndex> rows = {9, 3, 50, 7, 99};
  const data::DatasetView listed(data, rows);
  const data::DatasetView listed_part = listed.slice(1, 4);
  for (size_t c = 0; c < data.num_cols(); ++c) {
    for (size_t i = 0; i < part.num_rows(); ++i)
      EXPECT_EQ(part.code(c, i), data.columns[c][15 + i]);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(listed_part.code(c, i), data.columns[c][rows[1 + i]]);
    std::vector<uint32_t> scratch;
    part.visit(c, 2, 6, scratch, [&](auto codes) {
      for (size_t i = 0; i < codes.size(); ++i) EXPECT_EQ(codes[i], data.columns[c][17 + i]);
    });
  }
}

}  // namespace
}  // namespace meg::test
