// A small gradient-boosted tree classifier on code rows: the discriminator of the
// resampling correction (ensemble/discriminator_resample.hpp, docs/design.md §7a).
// Each column's codes are cut into at most kBuckets ordered buckets (code * B / cardinality),
// every tree has depth kDepth with splits "bucket <= t", and the trees are fitted to the
// logistic loss by second-order boosting, with gradient sums in fixed point (exact). The
// output is a logit: with as many real rows (label 1) as synthetic ones (label 0), it
// estimates log(p_data / p_model) at the row.
// Cost: fitting O(trees * (depth + 1) / 2 * rows * columns) (histogram subtraction), a
// prediction O(trees * depth); the model is trees * (2^depth - 1) splits and 2^depth
// leaves, a few kilobytes.
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"

namespace meg::ensemble {

class CodeBooster {
 public:
  static constexpr uint32_t kBuckets = 64;
  static constexpr int kDepth = 4;
  static constexpr int kTrees = 150;
  static constexpr double kLearningRate = 0.2;

  // How a tree's node histograms are built. Subtract: the root's from all rows, then of each
  // pair of siblings the smaller's from its rows and the other's as the parent's minus it
  // (at most half the rows a level below the root). Direct: every node's from its rows
  // (the reference; the same trees, as the sums are exact integers).
  enum class Histograms { Subtract, Direct };

  // Fits on `rows` row-major code rows (cardinality.size() codes each) with labels 0/1.
  // Gradient sums are fixed-point integers, exact in any order: `threads` (0 = all cores)
  // and `histograms` change the speed only.
  static CodeBooster fit(const std::vector<data::Code>& rows, const std::vector<uint8_t>& labels,
                         const std::vector<uint32_t>& cardinality, int threads = 1,
                         Histograms histograms = Histograms::Subtract);
  // The heap a fit on `rows` rows of `cols` columns allocates with `workers` workers: per
  // row its buckets, logit, gradient sums and node order; per worker the histograms of two
  // levels and their sum (kLeaves / 2 nodes of kBuckets cells a column each).
  static double fit_bytes(double rows, double cols, double workers) {
    return rows * (cols + 8 + 16 + 8) + workers * 3.0 * (kLeaves / 2) * kBuckets * 16 * cols;
  }
  // The logit of one row (cardinality.size() codes).
  double logit(const data::Code* row) const;
  bool empty() const { return leaf_.empty(); }

  nlohmann::json to_json() const;
  // Checks every field against the table's cardinalities (ModelFormatError).
  static CodeBooster from_json(const nlohmann::json& j, const std::vector<uint32_t>& cardinality);

 private:
  static constexpr int kInner = (1 << kDepth) - 1;
  static constexpr int kLeaves = 1 << kDepth;
  uint32_t bucket(const data::Code* row, uint32_t col) const {
    return static_cast<uint32_t>(uint64_t{row[col]} * buckets_[col] / cardinality_[col]);
  }

  std::vector<uint32_t> cardinality_, buckets_;
  double base_ = 0;
  // Per tree: kInner splits (feature, or -1 = every row goes left; bucket threshold)
  // in level order, then kLeaves leaf values.
  std::vector<int32_t> feature_;
  std::vector<uint32_t> threshold_;
  std::vector<float> leaf_;
  // Derived, for predictions: per split, its column (0 when none) and the largest code whose
  // bucket is <= the threshold (buckets grow with codes, so "bucket > t" is "code > this";
  // UINT32_MAX when every row goes left): no division per split.
  std::vector<uint32_t> split_column_, code_threshold_;
  void prepare();
};

}  // namespace meg::ensemble
