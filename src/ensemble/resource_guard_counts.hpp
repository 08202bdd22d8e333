// The data pass of the model-size guard (resource_guard.hpp): distinct codes, code
// pairs and (class, parent pair) triples counted on the rows, and the caps they put on a
// unit's configurations and blocks at levels 1 and 2.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/dataset.hpp"

namespace meg::ensemble {

// Caps on the configurations (groups) and (configuration, class) pairs (blocks) of levels
// 1 and 2 measured on the rows (Observed below); infinite when not measured. Level j > 2
// extends level j - 1's cap by the j-th parent's levels.
struct LevelCaps {
  double groups[3] = {1, HUGE_VAL, HUGE_VAL};
  double blocks[3] = {0, HUGE_VAL, HUGE_VAL};
  // Non-zero counts of levels 0, 1 and 2: distinct (class, value), (class, parent, value)
  // and (class, parent, parent, value) combinations.
  double entries[3] = {HUGE_VAL, HUGE_VAL, HUGE_VAL};
};

// Distinct codes of each column and distinct code pairs of the column pairs that can meet
// in a configuration (two possible parents, or a unit's class and a possible parent),
// counted on every row: the configurations a fit observes are among them. One pass over
// the rows per pair with a bitmap of the pair's code space (a pair whose space is larger
// keeps the bound without data); skipped (measured = false) above kObserveColumns columns
// or when the pairs times the rows exceed kObserveBudget, so the guard stays fast (and its
// d x d table small) on a wide table. There (`partial`) only each column's distinct codes
// and each unit's (class, column) pairs are counted, (units + 1) x columns passes when
// they times the rows stay within kObserveBudget; else the bound without the data holds.
struct Observed {
  bool measured = false;
  bool partial = false;             // levels and class pairs only (pairs left empty)
  std::vector<size_t> unit_row;     // per column: its row of class_pairs, or SIZE_MAX
  std::vector<double> class_pairs;  // per unit, d distinct (class, column) pairs
  size_t d = 0;
  std::vector<double> levels;  // distinct codes per column
  std::vector<double> pairs;   // d x d, symmetric; 0 = not counted
  bool triples = false;        // whether a unit's (class, parent pair) triples are counted
  size_t unit_count = 0;       // the units counted for
  double pair(size_t a, size_t b) const { return pairs[a * d + b]; }
};

// The counts for `units` and the possible parents (`parent[c]`) of `data` (null: none).
Observed observe(const data::EncodedDataset* data, const std::vector<size_t>& units,
                 const std::vector<bool>& parent);

// Unit u's caps from the measured codes, for feature i: level 1 has at most max_a L(a)
// groups and max_a D(u, a) blocks (L = distinct codes, D = distinct pairs, a over the
// possible parents other than i); level 2 at most max_{a,b} D(a, b) groups and the largest
// over the parent pairs without i of min(D(u, a) L(b), D(u, b) L(a), D(a, b) C, T(u, a, b))
// blocks, T the distinct triples when counted. Level 0 has at most D(u, i) non-zero
// counts, level 1 at most max_a of that pair bound for (a, i), level 2 at most the largest
// over the parent pairs of the products of a pair bound and a column's distinct codes.
class UnitCaps {
 public:
  // parent_levels[c]: column c's codes as a parent (its groups when grouped);
  // child_configs[c]: the parent configurations column c may take as a child (a parent set
  // of more is skipped by the search).
  // `searched` (d x d, symmetric): only for_parents is asked, for parent sets whose pairs
  // (with the feature) are marked: the triples are counted for those pairs alone (within
  // the budget of units x pairs x rows), and the lists for_feature and search_combinations
  // read are not made. The triples are counted on up to `threads` threads.
  UnitCaps(const Observed& o, const data::EncodedDataset* data, size_t u,
           const std::vector<size_t>& candidates, double classes,
           const std::vector<double>& parent_levels, const std::vector<double>& child_configs,
           const std::vector<bool>* searched = nullptr, int threads = 1);

  // Caps for feature i (not a parent of itself: each cap is the largest over the parent
  // sets without i whose configurations i may take).
  LevelCaps for_feature(size_t i) const;
  // Caps for feature i with the parents a search chose (most informative first; level j
  // reads the first j): the bounds above for that parent set only (level 0's alone when
  // there is none).
  LevelCaps for_parents(size_t i, const std::vector<uint32_t>& parents) const;
  bool per_feature() const { return !ranked_[0].empty(); }
  // The combinations the structure search counts on `rows` rows: (class, feature) for
  // every feature and (class, feature, feature) for at most `pairs` pairs (the largest),
  // each at most `rows`.
  double search_combinations(double rows, double pairs) const;

 private:
  struct Pair {
    double bound;
    size_t a, b;  // the parent (set); b = SIZE_MAX for one parent
  };
  LevelCaps caps_;
  // Descending: level-1 groups L(a), level-1 blocks D(u, a), level-2 groups D(a, b),
  // level-2 blocks (the pair bound above).
  std::vector<Pair> ranked_[4];
  // The pair bound of every two possible parents (d x d, infinite elsewhere), which also
  // bounds the (class, parent, value) combinations of a feature that could be a parent;
  // D(u, i) for level 0.
  size_t d_ = 0;
  bool partial_ = false;  // levels and class pairs only (Observed::partial)
  std::vector<double> parent_levels_, child_configs_;
  // Configurations of a parent set (b = SIZE_MAX for one parent).
  double configs(size_t a, size_t b) const {
    return parent_levels_[a] * (b == SIZE_MAX ? 1.0 : parent_levels_[b]);
  }
  std::vector<double> parent_bound_, class_pair_;
  // Per column: its distinct codes as a child, as a parent (L'), its pairs with the class
  // as a parent (D'); per two parents, their distinct pairs (D', d x d; measured only).
  std::vector<double> levels_, parent_codes_, parent_pairs_, pair_configs_;
  // (class, parent a, child i) combinations, a x d + i: the parent by its groups, the child
  // by its codes (the non-zero counts of level 1).
  std::vector<double> child_bound_;
  // Per feature, the largest over the parent pairs (a, b) without it of
  // min(P(a, i) L(b), P(b, i) L(a), P(a, b) L(i)), P the pair bound (level 2's non-zero
  // counts); empty when units x columns^3 exceed a budget.
  std::vector<double> level2_entries_;
};

}  // namespace meg::ensemble
