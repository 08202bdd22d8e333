// units=auto and the structure-search hints the units of one fit share
// (docs/performance.md, "Wide tables").
//
// Rule: a unit's structure search counts about (d - 1) min(d - 2, m) class-conditional
// pair tables (m = parent_candidates, 0 = all); the units fitted are capped so that all
// of them together count at most kAutoPairBudget such tables (every column when that
// allows it, and never fewer than min(d, kAutoMinUnits) units). When the cap applies the
// class columns are the ones whose pairwise mutual information with the other columns
// (bias-corrected, positive parts summed) is largest: a unit's class is the root of its
// network, so a column that explains much of the others gives the unit the most held-out
// likelihood. Ties go to the smaller column index; the chosen columns keep table order.
// Columns of more than max_parent_levels levels are not classes under units=auto (their
// unit's every table would be multiplied by their levels) unless no other column can be:
// they are modelled as features of the other units, with their full distribution, and
// enter the others' parent configurations through their groups (the plan's hints.groups,
// bn/parent_groups.hpp; the pairwise screening reads them grouped too).
// A column of a single code (an id column, which is not modelled, or a constant) is never a
// class under auto or all (unless every column is one); listing it in `units` is an error.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bn/candidates.hpp"
#include "data/dataset.hpp"
#include "meg/options.hpp"

namespace meg::ensemble {

inline constexpr double kAutoPairBudget = 65536;
inline constexpr size_t kAutoMinUnits = 8;

// How many units units=auto fits for d columns and parent_candidates m.
size_t auto_unit_count(size_t d, size_t m);

struct UnitPlan {
  std::vector<size_t> columns;  // class columns of the units, ascending
  bn::SearchHints hints;        // shared by every unit's structure search
};

// The units of a fit on `all` (options.units, else all columns or units=auto) and the
// search hints; the pairwise mutual information is computed (once) only when the hints
// restrict the search or units=auto drops columns. Throws InvalidArgument naming a
// listed column that does not exist or has a single code.
UnitPlan plan_units(const data::DatasetView& all, const FitOptions& options);

// The units the model-size guard checks before plan_units runs: plan_units's columns
// when no choice is left, else the eligible columns with the most levels, as many as
// units=auto takes (a unit's bound grows with its class's levels), so the guard answers
// without the pairwise pass.
std::vector<size_t> guard_units(const data::DatasetView& all, const FitOptions& options);

// The class columns options.units names (validated), or every column when it is empty.
std::vector<size_t> listed_unit_columns(const FitOptions& o, const std::vector<std::string>& names);

}  // namespace meg::ensemble
