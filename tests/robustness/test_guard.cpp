// The model-size guard: an upper bound computed before fitting, checked against the heap
// that fits, saves, loads and samples really use (this binary counts every operator new).
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdio>  // std::remove
#include <cstdlib>
#include <ctime>
#include <new>
#include <numeric>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bn/kdb_structure.hpp"
#include "core/rng.hpp"
#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/dataset.hpp"
#include "data/schema.hpp"
#include "ensemble/meg_model.hpp"
#include "ensemble/resource_guard.hpp"
#include "meg/error.hpp"
#include "meg/progress.hpp"

// Every replaceable operator new and delete, so that what one allocates the other frees.
namespace {
std::atomic<long> g_live{0}, g_peak{0};

void* counted_alloc(size_t size, size_t align) {
  void* p =
      align <= alignof(std::max_align_t)
          ? std::malloc(size == 0 ? 1 : size)
          : std::aligned_alloc(align, (std::max<size_t>(size, 1) + align - 1) / align * align);
  if (p == nullptr) return nullptr;
  const long now = g_live += static_cast<long>(malloc_usable_size(p));
  long peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
  return p;
}
void counted_free(void* p) noexcept {
  if (p == nullptr) return;
  g_live -= static_cast<long>(malloc_usable_size(p));
  std::free(p);
}
void* counted_alloc_or_throw(size_t size, size_t align) {
  void* p = counted_alloc(size, align);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
constexpr size_t kDefault = alignof(std::max_align_t);
}  // namespace

void* operator new(size_t n) { return counted_alloc_or_throw(n, kDefault); }
void* operator new[](size_t n) { return counted_alloc_or_throw(n, kDefault); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n, kDefault); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return counted_alloc(n, kDefault);
}
void* operator new(size_t n, std::align_val_t a) {
  return counted_alloc_or_throw(n, static_cast<size_t>(a));
}
void* operator new[](size_t n, std::align_val_t a) {
  return counted_alloc_or_throw(n, static_cast<size_t>(a));
}
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc(n, static_cast<size_t>(a));
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc(n, static_cast<size_t>(a));
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, size_t) noexcept { counted_free(p); }
void operator delete[](void* p, size_t) noexcept { counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  counted_free(p);
}

using meg::ensemble::check_model_size;
using meg::ensemble::estimate_model_bytes;

TEST(ResourceGuard, SmallTablePassesTheDefault) {
  const std::vector<uint32_t> card = {4, 4, 3, 3, 3, 3, 4};
  const std::vector<std::string> names = {"a", "b", "c", "d", "e", "f", "g"};
  const std::vector<size_t> units = {0, 1, 2, 3, 4, 5, 6};
  meg::FitOptions o;
  EXPECT_NO_THROW(check_model_size(card, names, units, 1728, o));
  const auto est = estimate_model_bytes(card, names, units, 1728, o);
  EXPECT_GT(est.total_bytes, 0);
  EXPECT_LT(est.total_bytes, 64e6);
}

TEST(ResourceGuard, GrowsWithRowsKAndCardinality) {
  const std::vector<std::string> names = {"x", "y", "z"};
  const std::vector<size_t> units = {0, 1, 2};
  meg::FitOptions o;
  auto total = [&](std::vector<uint32_t> card, uint64_t rows, int k) {
    meg::FitOptions oo = o;
    oo.unit.k = k;
    return estimate_model_bytes(card, names, units, rows, oo).total_bytes;
  };
  EXPECT_LE(total({100, 100, 2}, 1000, 2), total({100, 100, 2}, 100000, 2));
  EXPECT_LE(total({100, 100, 2}, 100000, 0), total({100, 100, 2}, 100000, 2));
  EXPECT_LT(total({10, 100, 2}, 100000, 2), total({1000, 100, 2}, 100000, 2));
}

TEST(ResourceGuard, RefusesAndNamesTheColumns) {
  const std::vector<uint32_t> card = {100000, 90000, 2, 3};
  const std::vector<std::string> names = {"user_id", "session_id", "flag", "kind"};
  const std::vector<size_t> units = {0, 1, 2, 3};
  meg::FitOptions o;
  try {
    check_model_size(card, names, units, 100000, o);
    FAIL() << "expected the guard to refuse";
  } catch (const meg::InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("max_model_mb"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'user_id'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'session_id'"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("'flag'"), std::string::npos) << msg;
  }
  // The small columns alone are accepted; so is everything with the limit raised.
  EXPECT_NO_THROW(check_model_size({2, 3}, {"flag", "kind"}, {0, 1}, 100000, o));
  o.max_model_mb = 1L << 30;
  EXPECT_NO_THROW(check_model_size(card, names, units, 100000, o));
}

// The estimate costs O(d k) a unit (it was O(d^2) a unit: minutes for 5,000 columns). Its
// time is measured by bench/wide.sh (table wide2000), not asserted here: a timed test fails
// on a loaded or sanitized build without a fault. This one checks it completes and is sane.
TEST(ResourceGuard, EstimatesFiveThousandColumns) {
  const size_t d = 5000;
  std::vector<uint32_t> card(d);
  std::vector<std::string> names(d);
  for (size_t c = 0; c < d; ++c) {
    card[c] = static_cast<uint32_t>(2 + c % 7);
    names[c] = "x" + std::to_string(c);
  }
  std::vector<size_t> units(d);
  std::iota(units.begin(), units.end(), 0);
  // CPU time of this (single-threaded) call: the machine may be shared.
  const std::clock_t start = std::clock();
  const auto est = estimate_model_bytes(card, names, units, 30, meg::FitOptions{});
  const double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  std::printf("estimate for %zu columns and units: %.3f s CPU\n", d, seconds);
  EXPECT_GT(est.total_bytes, 0);
  // Every unit's tables at least hold its class's distribution over every feature's levels.
  EXPECT_GT(est.total_bytes, static_cast<double>(d) * (d - 1) * 2 * 2 * sizeof(float));
}

// When no few columns account for the bound (similar columns of a wide table), the
// refusal names the width and the units instead of five arbitrary columns.
TEST(ResourceGuard, WideTableRefusalNamesTheWidth) {
  const size_t d = 2000;
  std::vector<uint32_t> card(d, 20);
  std::vector<std::string> names(d);
  for (size_t c = 0; c < d; ++c) names[c] = "x" + std::to_string(c);
  const std::vector<size_t> units = {0, 1, 2, 3, 4, 5, 6, 7};
  meg::FitOptions o;
  o.max_model_mb = 1;
  try {
    check_model_size(card, names, units, 50, o);
    FAIL() << "expected the guard to refuse";
  } catch (const meg::InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("spread over the table's 2000 columns and 8 unit(s)"), std::string::npos)
        << msg;
    EXPECT_EQ(msg.find("'x1'"), std::string::npos) << msg;
  }
}

// A column above max_parent_levels L enters configurations through at most L groups and
// takes at most 4 L^2 / r parent configurations: the bound of a table with three
// 700-level codes drops by orders of magnitude, and grows back when the limit is raised
// above 700.
TEST(ResourceGuard, ManyLevelColumnsAreNotParents) {
  const std::vector<uint32_t> card = {700, 700, 700, 20, 20, 10, 5, 2};
  const std::vector<std::string> names = {"d1", "d2", "d3", "a", "b", "c", "e", "f"};
  const std::vector<size_t> units = {3, 4, 5, 6, 7};
  meg::FitOptions o;
  const double capped = estimate_model_bytes(card, names, units, 100000, o).total_bytes;
  o.max_parent_levels = 1000;
  const double open = estimate_model_bytes(card, names, units, 100000, o).total_bytes;
  EXPECT_LT(capped * 10, open);
}

// The codes bound the configurations: 60,000 rows over 50-level columns that only ever
// take 5 combinations open at most 5 configurations a level, however many rows there are,
// so the bound with the codes is far below the one from the levels alone, and the same
// whatever the rows' count beyond that.
TEST(ResourceGuard, CountedCombinationsTightenTheBound) {
  const size_t n = 60000, d = 6;
  std::vector<std::vector<meg::data::Code>> cols(d, std::vector<meg::data::Code>(n));
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < d; ++c) cols[c][r] = static_cast<meg::data::Code>((r % 5) * 10 + c);
  }
  std::vector<std::string> names;
  for (size_t c = 0; c < d; ++c) names.push_back("c" + std::to_string(c));
  const std::vector<uint32_t> card(d, 50);
  const auto data = meg::data::EncodedDataset::from_columns(names, card, cols);
  std::vector<size_t> units(d);
  std::iota(units.begin(), units.end(), 0);
  meg::FitOptions o;
  o.unit.k = 2;
  const auto without = estimate_model_bytes(card, names, units, n, o);
  const auto with = estimate_model_bytes(card, names, units, n, o, &data);
  EXPECT_LT(with.total_bytes * 5, without.total_bytes)
      << with.total_bytes << " vs " << without.total_bytes;
  EXPECT_LT(with.total_bytes - with.row_bytes - with.scratch_bytes,
            (without.total_bytes - without.row_bytes - without.scratch_bytes) / 50);
}

namespace {

// Heap bytes allocated at the peak of fn() beyond what was live before it.
template <class Fn>
double peak_bytes(Fn&& fn) {
  const long before = g_live.load();
  g_peak = before;
  fn();
  return static_cast<double>(g_peak.load() - before);
}

// A table whose first column has 300 values: most (configuration, class) pairs unseen.
meg::data::CsvTable wide_table() {
  meg::core::Rng rng(3);
  std::string text = "city,color,size,score\n";
  const char* colors[] = {"red", "green", "blue", "black"};
  for (int i = 0; i < 3000; ++i) {
    const uint64_t c = rng.below(300);
    text += "city" + std::to_string(c) + "," + colors[(c + rng.below(2)) % 4] + "," +
            (c % 3 != 0 ? "S" : "XL") + "," + std::to_string(c / 10 + rng.below(7)) + "\n";
  }
  return meg::data::parse_csv(text, "wide");
}

// A 300-level skewed code that depends on a 5-level region, and two columns that depend
// on the code: the code is a grouped parent (its frequent levels keep their own groups)
// and a child with parents (docs/performance.md, "High-cardinality columns").
meg::data::CsvTable grouped_table() {
  meg::core::Rng rng(5);
  std::string text = "region,code,kind,level\n";
  for (int i = 0; i < 20000; ++i) {
    const uint64_t region = rng.below(5);
    const double u = rng.uniform();
    const uint64_t code = (region * 60 + static_cast<uint64_t>(300 * u * u * u)) % 300;
    text += "r" + std::to_string(region) + ",c" + std::to_string(code) + "," +
            (code % 7 < 3   ? "A"
             : code % 7 < 5 ? "B"
                            : "C") +
            "," + std::to_string(code % 4 + rng.below(2)) + "\n";
  }
  return meg::data::parse_csv(text, "grouped");
}

// A hospital-like table (bench/gen_tables.py hospital, smaller): a 12-level department,
// three 700-level Zipf-distributed diagnosis codes (the first depends on the department,
// each next one on the previous one's chapter), grouped for the parent role, and columns
// that depend on them: ages, a severity, stays, a cost, an outcome and flags.
meg::data::CsvTable hospital_table(int rows) {
  meg::core::Rng rng(11);
  constexpr int kLevels = 700, kChapters = 20;
  // Zipf(1.05) over the codes by a fixed permutation: draw a rank, then its code.
  std::vector<double> cum(kLevels);
  double total = 0;
  for (int i = 0; i < kLevels; ++i) cum[i] = total += 1.0 / std::pow(i + 1, 1.05);
  std::vector<int> perm(kLevels);
  std::iota(perm.begin(), perm.end(), 0);
  for (int i = kLevels - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(i + 1)]);
  auto zipf_code = [&] {
    const double u = rng.uniform() * total;
    const auto it = std::lower_bound(cum.begin(), cum.end(), u);
    return perm[std::min<long>(it - cum.begin(), kLevels - 1)];
  };
  // A code, drawn from `chapter` with probability p, else from all codes.
  auto code_in = [&](int chapter, double p) {
    const int c = zipf_code();
    return rng.uniform() < p ? chapter * (kLevels / kChapters) + c % (kLevels / kChapters) : c;
  };
  std::string text =
      "department,age,sex,diag_1,diag_2,diag_3,severity,stay,cost,outcome,"
      "insurance,region,flag_a,flag_b\n";
  for (int r = 0; r < rows; ++r) {
    const auto dept = static_cast<int>(std::min<uint64_t>(rng.below(12), rng.below(12)));
    const int age = dept == 4 ? static_cast<int>(rng.below(18))
                              : std::clamp(static_cast<int>(52 + 18 * rng.normal()), 18, 99);
    const int d1 = code_in((dept * 3 + static_cast<int>(rng.below(3))) % kChapters, 0.7);
    const int d2 = code_in(d1 / (kLevels / kChapters), 0.6);
    const int d3 = code_in(d2 / (kLevels / kChapters), 0.6);
    const int severity = std::min(4, (d1 % 35) / 9 + (age > 70) + static_cast<int>(rng.below(2)));
    const int stay = 1 + static_cast<int>(rng.below(2 + 2 * severity));
    const double cost = stay * (900 + 150 * severity) * (0.7 + 0.6 * rng.uniform());
    const char* outcome = rng.uniform() < 0.02 + 0.03 * severity ? "died"
                          : stay > 8                             ? "transferred"
                                                                 : "home";
    const int insurance = age > 65 ? 5 : static_cast<int>(rng.below(5));
    text += fmt::format("D{},{},{},C{},C{},{},{},{},{:.2f},{},I{},R{},{},{}\n", dept, age,
                        rng.below(2) != 0 ? "F" : "M", d1, d2,
                        rng.uniform() < 0.3 ? "" : fmt::format("C{}", d3), severity, stay, cost,
                        outcome, insurance, std::min(rng.below(20), rng.below(20)),
                        (severity + rng.below(3)) % 3, (dept + rng.below(2)) % 4);
  }
  return meg::data::parse_csv(text, "hospital");
}

// More columns than the guard counts pairs of (270 > 256): the levels and each unit's
// (class, column) pairs only. Columns of 2-5 and 20 levels driven by a latent factor and
// by the previous column.
meg::data::CsvTable many_columns_table(int cols, int rows) {
  meg::core::Rng rng(13);
  std::string text;
  for (int c = 0; c < cols; ++c) text += fmt::format("{}c{}", c == 0 ? "" : ",", c);
  text += "\n";
  for (int r = 0; r < rows; ++r) {
    const uint64_t latent = rng.below(5);
    uint64_t prev = latent;
    for (int c = 0; c < cols; ++c) {
      const uint64_t levels = c % 4 == 3 ? 20 : 2 + c % 4;
      const uint64_t v = rng.uniform() < 0.6 ? (prev + latent + c) % levels : rng.below(levels);
      text += fmt::format("{}v{}", c == 0 ? "" : ",", v);
      prev = v;
    }
    text += "\n";
  }
  return meg::data::parse_csv(text, "many_columns");
}

struct Case {
  meg::data::CsvTable table;
  int k;
  int epochs;
  double max_ratio = 3;  // how far above the larger peak the estimate may be (issue 14: 3x)
};

// Fits and saves each case, then loads the model and builds every unit's tables, measuring
// the heap of both; the estimate is the one the fit checked once its structures were
// searched (its "guard" progress report), which must bound both peaks and stay within
// max_ratio of the larger.
void check_cases(const std::vector<Case>& cases) {
  const std::string path = ::testing::TempDir() + "meg_guard_test.meg";
  for (const Case& c : cases) {
    const meg::data::Schema schema = meg::data::infer_schema(c.table);
    meg::FitOptions o;
    o.unit.k = c.k;
    o.unit.warmup_epochs = c.epochs;
    o.unit.epochs = c.epochs;
    o.threads = 2;
    double estimate = 0;
    meg::ensemble::ModelSizeEstimate est;
    const double fit = peak_bytes([&] {
      const auto m = meg::ensemble::MegModel::fit(c.table, schema, o, [&](const meg::Progress& p) {
        if (p.stage == "guard") estimate = static_cast<double>(p.bytes);
      });
      m.save(path);
      // The bound's terms with the final model's structures, to print beside the model's.
      const meg::data::EncodedDataset codes = m.codec().encode(c.table);
      std::vector<size_t> units;
      std::vector<meg::bn::KdbStructure> structures;
      for (const auto& unit : m.units()) {
        units.push_back(unit.class_column());
        structures.push_back(unit.model().structure());
      }
      est = estimate_model_bytes(m.codec().cardinalities(), m.codec().column_names(), units,
                                 c.table.num_rows(), o, &codes,
                                 meg::ensemble::row_model_columns(m.codec()),
                                 {meg::ensemble::ParentSets::Kind::Searched, {&structures}});
    });
    double real_cells = 0, real_blocks = 0, real_entries = 0, real_groups = 0;
    const double use = peak_bytes([&] {
      const auto m = meg::ensemble::MegModel::load(path);
      for (const auto& unit : m.units()) {
        real_cells += static_cast<double>(unit.model().blocks().total_cells());
        real_blocks += static_cast<double>(unit.model().blocks().num_blocks());
        real_groups += static_cast<double>(unit.model().layout().num_groups());
        if (unit.model().counts()) {
          real_entries += static_cast<double>(unit.model().counts()->values.size());
        }
      }
      for (const auto& unit : m.units()) {
        std::vector<meg::data::Code> rows(10 * unit.num_columns());
        unit.sample(10, 1, rows.data(), 1);
        (void)unit.model().logp();
      }
    });
    std::printf(
        "%s k=%d epochs=%d: estimate %.1f MB, fit %.1f MB, use %.1f MB, ratio %.2f; with the "
        "final structures %.1f MB (scratch %.1f, rows %.1f)\n",
        c.table.source.c_str(), c.k, c.epochs, estimate / 1048576.0, fit / 1048576.0,
        use / 1048576.0, estimate / std::max(fit, use), est.total_bytes / 1048576.0,
        est.scratch_bytes / 1048576.0, est.row_bytes / 1048576.0);
    std::printf(
        "  cells %.0f / %.0f, blocks %.0f / %.0f, entries %.0f / %.0f, groups %.0f / %.0f;"
        " model %.1f MB; scratch:",
        est.model_cells, real_cells, est.model_blocks, real_blocks, est.model_entries, real_entries,
        est.model_groups, real_groups,
        (est.total_bytes - est.scratch_bytes - est.row_bytes) / 1048576.0);
    for (const auto& [name, bytes] : est.scratch_parts) {
      std::printf(" %s %.1f", name.c_str(), bytes / 1048576.0);
    }
    std::printf("\n");
    EXPECT_GE(estimate, fit) << c.table.source << " k=" << c.k << " epochs=" << c.epochs;
    EXPECT_GE(estimate, use) << c.table.source << " k=" << c.k << " epochs=" << c.epochs;
    // How loose the bound is (docs/performance.md, "The guard against measured heap").
    EXPECT_LE(estimate, c.max_ratio * std::max(fit, use))
        << c.table.source << " k=" << c.k << " epochs=" << c.epochs;
  }
  std::remove(path.c_str());
}

}  // namespace

// The estimate bounds the heap of a whole fit and save, and of loading the model and building
// every table it has (sampling, scoring), on tables of different shapes, k and training.
TEST(ResourceGuard, EstimateBoundsTheMeasuredHeap) {
  std::vector<Case> cases;
  cases.push_back({meg::data::read_csv("data/car.csv"), 2, 0});
  cases.push_back({meg::data::read_csv("data/car.csv"), 3, 1});
  cases.push_back({meg::data::read_csv("data/german_credit.csv"), 2, 0});
  cases.push_back({wide_table(), 3, 0});
  cases.push_back({grouped_table(), 2, 0});
  cases.push_back({meg::data::read_csv("data/adult_train.csv"), 2, 0});
  cases.push_back({meg::data::read_csv("data/nursery.csv"), 2, 0});
  cases.push_back({meg::data::read_csv("data/kr_vs_kp.csv"), 2, 0});
  cases.push_back({hospital_table(6000), 2, 0});
  cases.push_back({many_columns_table(270, 150), 2, 0});
  check_cases(cases);
}

// The fit searches every unit's structure before counting any ("search" reports, one a unit
// and pass), then reports the guard's estimate once; with the searched parents the bound's
// cells lie between those of parentless features and of the largest parents the limits
// allow, and they are the loaded model's on car (every configuration observed).
TEST(ResourceGuard, SearchedParentsBoundTheirOwnTables) {
  const meg::data::CsvTable table = meg::data::read_csv("data/car.csv");
  meg::FitOptions o;
  o.threads = 2;
  size_t searched = 0, guards = 0;
  double reported = 0, limit = 0;
  const auto m = meg::ensemble::MegModel::fit(table, meg::data::infer_schema(table), o,
                                              [&](const meg::Progress& p) {
                                                if (p.stage == "search" && p.phase == "done")
                                                  ++searched;
                                                if (p.stage == "guard") {
                                                  ++guards;
                                                  reported = static_cast<double>(p.bytes);
                                                  limit = static_cast<double>(p.bytes_total);
                                                }
                                              });
  const size_t units = m.units().size();
  // The fit part's structures, then all rows' for the refit (car is under 2^16 rows).
  EXPECT_EQ(searched, 2 * units);
  EXPECT_EQ(guards, 1u);
  EXPECT_GT(reported, 0);
  EXPECT_EQ(limit, static_cast<double>(o.max_model_mb) * 1048576.0);
  const meg::data::EncodedDataset codes = m.codec().encode(table);
  std::vector<size_t> cols;
  std::vector<meg::bn::KdbStructure> structures, parentless;
  double real_cells = 0;
  for (const auto& unit : m.units()) {
    cols.push_back(unit.class_column());
    structures.push_back(unit.model().structure());
    parentless.push_back(unit.model().structure());
    for (auto& p : parentless.back().parents) p.clear();
    real_cells += static_cast<double>(unit.model().blocks().total_cells());
  }
  using meg::ensemble::ParentSets;
  auto cells = [&](const ParentSets& parents) {
    return estimate_model_bytes(m.codec().cardinalities(), m.codec().column_names(), cols,
                                table.num_rows(), o, &codes, 0, parents)
        .model_cells;
  };
  const double any = cells({});
  const double none = cells({ParentSets::Kind::None, {}});
  const double chosen = cells({ParentSets::Kind::Searched, {&structures}});
  EXPECT_LT(none, chosen);
  EXPECT_LE(chosen, any);
  EXPECT_EQ(chosen, real_cells);
  EXPECT_EQ(cells({ParentSets::Kind::Searched, {&parentless}}), none);
  // Two sets: each feature takes the larger share.
  EXPECT_EQ(cells({ParentSets::Kind::Searched, {&parentless, &structures}}), chosen);
  // Structures of other units are refused.
  std::vector<meg::bn::KdbStructure> fewer(structures.begin(), structures.end() - 1);
  EXPECT_THROW(cells({ParentSets::Kind::Searched, {&fewer}}), meg::Error);
}

// The distinct (class, parent, parent) triples each unit's caps read are counted on the
// fit's threads: the model's bound (cells, blocks, entries, groups, bytes per column) is the
// same at any count, before and after the search (the scratch grows with the units fitted
// at once, as it should).
TEST(ResourceGuard, EstimateIsTheSameAtAnyThreadCount) {
  const meg::data::CsvTable table = meg::data::read_csv("data/car.csv");
  meg::FitOptions o;
  o.threads = 1;
  const auto m = meg::ensemble::MegModel::fit(table, meg::data::infer_schema(table), o);
  const meg::data::EncodedDataset codes = m.codec().encode(table);
  std::vector<size_t> cols;
  std::vector<meg::bn::KdbStructure> structures;
  for (const auto& unit : m.units()) {
    cols.push_back(unit.class_column());
    structures.push_back(unit.model().structure());
  }
  using meg::ensemble::ParentSets;
  for (const ParentSets& parents :
       {ParentSets{}, ParentSets{ParentSets::Kind::Searched, {&structures}}}) {
    std::vector<meg::ensemble::ModelSizeEstimate> est;
    for (int threads : {1, 2, 3, 8}) {
      o.threads = threads;
      est.push_back(estimate_model_bytes(m.codec().cardinalities(), m.codec().column_names(), cols,
                                         table.num_rows(), o, &codes, 0, parents));
    }
    for (size_t t = 1; t < est.size(); ++t) {
      EXPECT_EQ(est[t].model_cells, est[0].model_cells) << t;
      EXPECT_EQ(est[t].model_blocks, est[0].model_blocks) << t;
      EXPECT_EQ(est[t].model_entries, est[0].model_entries) << t;
      EXPECT_EQ(est[t].model_groups, est[0].model_groups) << t;
      EXPECT_EQ(est[t].column_bytes, est[0].column_bytes) << t;
      EXPECT_EQ(est[t].row_bytes, est[0].row_bytes) << t;
    }
  }
}

// The same measure for a CSV file named by MEG_GUARD_TABLE (k = 2, defaults otherwise):
// how the bench tables' ratios are measured (bench/gen_tables.py hospital, docs/performance.md
// "The guard against measured heap"). Skipped without it.
TEST(ResourceGuard, EstimateBoundsTheMeasuredHeapOfAFile) {
  const char* file = std::getenv("MEG_GUARD_TABLE");
  if (file == nullptr || *file == '\0') GTEST_SKIP() << "MEG_GUARD_TABLE is not set";
  std::vector<Case> cases;
  cases.push_back({meg::data::read_csv(file), 2, 0});
  check_cases(cases);
}
