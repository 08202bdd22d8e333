// A small gradient-boosted tree classifier on code rows: the discriminator of the
// resampling correction (ensemble/discriminator_resample.hpp, docs/design.md §7a).
// Each column's codes are cut into at most kBuckets ordered buckets (code * B / cardinality),
// every tree has the same depth (Shape) with splits "bucket <= t", and the trees are fitted to the
// logistic loss by second-order boosting, with gradient sums in fixed point (exact). The
// output is a logit: with as many real rows (label 1) as synthetic ones (label 0), it
// estimates log(p_data / p_model) at the row.
// Cost: fitting O(trees * (depth + 1) / 2 * rows * columns) (histogram subtraction), a
// prediction O(trees * depth) for one row (logit), or trees * (2^depth - 1) comparisons
// made for 4 or 8 rows at once (logits, booster_predict.cpp); the model is
// trees * (2^depth - 1) splits and 2^depth leaves, a few kilobytes.
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"

namespace meg::ensemble {

// The trees of a CodeBooster: their count and depth (2..CodeBooster::kMaxDepth).
struct BoosterShape {
  int trees = 150;
  int depth = 4;
};

class CodeBooster {
 public:
  static constexpr uint32_t kBuckets = 64;
  static constexpr int kMaxDepth = 6;
  static constexpr double kLearningRate = 0.2;

  using Shape = BoosterShape;

  // How a tree's node histograms are built. Subtract: the root's from all rows, then of each
  // pair of siblings the smaller's from its rows and the other's as the parent's minus it
  // (at most half the rows a level below the root). Direct: every node's from its rows
  // (the reference; the same trees, as the sums are exact integers).
  enum class Histograms { Subtract, Direct };

  // Early stopping: rows the fit does not learn from (row-major, labels 0/1); after each
  // tree their mean log loss is measured, the fit stops once `patience` trees have not
  // lowered it, and the trees up to its least are kept.
  struct Validation {
    const std::vector<data::Code>& rows;
    const std::vector<uint8_t>& labels;
    int patience = 40;
  };
  // Where the validation loss was least: trees kept and that loss (-1 without validation).
  struct Stopped {
    int trees = 0;
    double loss = -1;
  };

  // Fits on `rows` row-major code rows (cardinality.size() codes each) with labels 0/1,
  // `shape.trees` trees (fewer with `valid`). Gradient sums are fixed-point integers, exact
  // in any order: `threads` (0 = all cores) and `histograms` change the speed only.
  static CodeBooster fit(const std::vector<data::Code>& rows, const std::vector<uint8_t>& labels,
                         const std::vector<uint32_t>& cardinality, int threads = 1,
                         Histograms histograms = Histograms::Subtract, Shape shape = {},
                         const Validation* valid = nullptr, Stopped* stopped = nullptr);
  // The heap a fit on `rows` rows of `cols` columns allocates with `workers` workers: per
  // row its buckets, logit, gradient sums and node order; per worker the histograms of two
  // levels and their sum (2^(depth-1) nodes of kBuckets cells a column each).
  static double fit_bytes(double rows, double cols, double workers,
                          int depth = BoosterShape{}.depth) {
    return rows * (cols + 8 + 16 + 8) +
           workers * 3.0 * static_cast<double>(1 << (depth - 1)) * kBuckets * 16 * cols;
  }
  // The logit of one row (cardinality.size() codes).
  double logit(const data::Code* row) const;
  // out[i] = logit(rows + index[i] * stride) for i < n: the same numbers (each row's leaves
  // added in tree order), with the trees in the outer loop over batches of kLogitBatch rows:
  // each split decided for the whole batch at once (booster_predict.cpp).
  void logits(const data::Code* rows, size_t stride, const uint32_t* index, size_t n,
              double* out) const;
  // Keeps the first `trees` trees.
  void truncate(size_t trees);
  size_t trees() const { return leaf_.size() / leaves(); }
  int depth() const { return depth_; }
  bool empty() const { return leaf_.empty(); }

  nlohmann::json to_json() const;
  // Checks every field against the table's cardinalities (ModelFormatError).
  static CodeBooster from_json(const nlohmann::json& j, const std::vector<uint32_t>& cardinality);

 private:
  size_t inner() const { return (size_t{1} << depth_) - 1; }
  size_t leaves() const { return size_t{1} << depth_; }
  static constexpr size_t kLogitBatch = 64;
  template <int Depth>
  void logits_by_walk(const data::Code* rows, size_t stride, const uint32_t* index, size_t n,
                      double* out) const;
  template <int Depth, class Lanes>
  void logits_batched(const data::Code* rows, size_t stride, const uint32_t* index, size_t n,
                      double* out) const;
  uint32_t bucket(const data::Code* row, uint32_t col) const {
    return static_cast<uint32_t>(uint64_t{row[col]} * buckets_[col] / cardinality_[col]);
  }

  std::vector<uint32_t> cardinality_, buckets_;
  double base_ = 0;
  int depth_ = BoosterShape{}.depth;
  // Per tree: inner() splits (feature, or -1 = every row goes left; bucket threshold)
  // in level order, then leaves() leaf values.
  std::vector<int32_t> feature_;
  std::vector<uint32_t> threshold_;
  std::vector<float> leaf_;
  // Derived, for predictions: per split, its column (0 when none) and the largest code whose
  // bucket is <= the threshold (buckets grow with codes, so "bucket > t" is "code > this";
  // UINT32_MAX when every row goes left): no division per split.
  std::vector<uint32_t> split_column_, code_threshold_;
  // Derived, for the batched logits: the columns the splits read (ascending), each split's
  // index among them, its code threshold as a signed number (every code is, when batched_)
  // and the leaves left standing by its two sides (bit j: leaf j). Without batched_ (no
  // SSE2, depth 6, or a cardinality past 2^31) the rows walk down the trees.
  std::vector<uint32_t> used_columns_, split_place_;
  std::vector<int32_t> signed_threshold_;
  std::vector<uint64_t> rule_left_, rule_right_;
  bool batched_ = false;
  bool narrow_ = false;  // batched in 16-bit lanes: depth <= 4, the columns read below 2^15
  void prepare();
};

}  // namespace meg::ensemble
