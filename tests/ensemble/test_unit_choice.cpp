// units=auto: how many units and which class columns (ensemble/unit_choice.hpp).
#include <gtest/gtest.h>

#include "core/rng.hpp"
#include "ensemble/unit_choice.hpp"
#include "meg/error.hpp"
#include "meg/options.hpp"

namespace meg::ensemble {
namespace {

// `d` 3-level columns: the first `linked` copy one hidden 3-level factor with probability
// 0.9; the others are independent noise. Column `wide_col` (if < d) has 100 levels.
data::EncodedDataset table(size_t d, size_t linked, size_t rows, size_t wide_col = SIZE_MAX) {
  data::EncodedDataset ds;
  for (size_t c = 0; c < d; ++c) {
    const uint32_t card = c == wide_col ? 100 : 3;
    ds.names.push_back("c" + std::to_string(c));
    ds.cardinality.push_back(card);
    ds.columns.emplace_back(card, rows);
  }
  core::Rng rng(4);
  for (size_t i = 0; i < rows; ++i) {
    const auto h = static_cast<data::Code>(rng.below(3));
    for (size_t c = 0; c < d; ++c) {
      data::Code v = c < linked && rng.below(10) < 9 ? h : static_cast<data::Code>(rng.below(3));
      if (c == wide_col) v = static_cast<data::Code>(v * 33 + rng.below(33));
      ds.columns[c].set(i, v);
    }
  }
  return ds;
}

TEST(UnitsAuto, CountFollowsTheBudget) {
  EXPECT_EQ(auto_unit_count(15, 32), 15u);   // Adult-sized: every column
  EXPECT_EQ(auto_unit_count(40, 32), 40u);   // 65,536 / (39 * 32) = 52 > 40
  EXPECT_EQ(auto_unit_count(58, 32), 35u);   // 65,536 / (57 * 32)
  EXPECT_EQ(auto_unit_count(1000, 32), 8u);  // the floor
  EXPECT_EQ(auto_unit_count(5, 0), 5u);
  EXPECT_EQ(auto_unit_count(2, 32), 2u);
}

TEST(UnitsAuto, ChoosesTheLinkedColumnsAndKeepsTableOrder) {
  const auto ds = table(300, 10, 2000);
  FitOptions o;
  o.threads = 2;
  const UnitPlan plan = plan_units(data::DatasetView(ds), o);
  ASSERT_EQ(plan.columns.size(), auto_unit_count(300, 32));
  for (size_t i = 0; i < plan.columns.size(); ++i) {
    EXPECT_LT(plan.columns[i], 10u);  // a linked column
    if (i > 0) {
      EXPECT_LT(plan.columns[i - 1], plan.columns[i]);
    }
  }
  EXPECT_TRUE(plan.hints.restricted());
  // The same plan at one thread.
  o.threads = 1;
  EXPECT_EQ(plan_units(data::DatasetView(ds), o).columns, plan.columns);
}

TEST(UnitsAuto, AllAndListsOverrideIt) {
  const auto ds = table(60, 10, 500);
  FitOptions o;
  set_option(o, "units", "all");
  EXPECT_EQ(plan_units(data::DatasetView(ds), o).columns.size(), 60u);
  EXPECT_EQ(get_option(o, "units"), "all");
  set_option(o, "units", "c5,c2");
  EXPECT_EQ(plan_units(data::DatasetView(ds), o).columns, (std::vector<size_t>{5, 2}));
  set_option(o, "units", "c5,nope");
  EXPECT_THROW(plan_units(data::DatasetView(ds), o), InvalidArgument);
  set_option(o, "units", "auto");
  EXPECT_EQ(get_option(o, "units"), "auto");
  EXPECT_EQ(plan_units(data::DatasetView(ds), o).columns.size(), auto_unit_count(60, 32));
}

// A column above max_parent_levels is not a class under units=auto (it is under all).
TEST(UnitsAuto, ManyLevelColumnIsNotAClass) {
  const auto ds = table(6, 6, 1000, 2);
  FitOptions o;
  const UnitPlan plan = plan_units(data::DatasetView(ds), o);
  EXPECT_EQ(plan.columns, (std::vector<size_t>{0, 1, 3, 4, 5}));
  set_option(o, "max_parent_levels", "100");
  EXPECT_EQ(plan_units(data::DatasetView(ds), o).columns.size(), 6u);
}

// A column of a single code (what an id column is encoded as) gets no unit under auto or
// all, and listing it is an error naming it.
TEST(UnitsAuto, SingleCodeColumnIsNotAClass) {
  auto ds = table(5, 5, 500);
  ds.cardinality[3] = 1;
  ds.columns[3] = data::CodeColumn(1, 500);
  FitOptions o;
  EXPECT_EQ(plan_units(data::DatasetView(ds), o).columns, (std::vector<size_t>{0, 1, 2, 4}));
  EXPECT_EQ(guard_units(data::DatasetView(ds), o), (std::vector<size_t>{0, 1, 2, 4}));
  set_option(o, "units", "all");
  EXPECT_EQ(plan_units(data::DatasetView(ds), o).columns, (std::vector<size_t>{0, 1, 2, 4}));
  set_option(o, "units", "c1,c3");
  try {
    plan_units(data::DatasetView(ds), o);
    FAIL() << "a single-code unit was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'c3' has a single code"), std::string::npos);
  }
}

}  // namespace
}  // namespace meg::ensemble
