// Discriminator of a GANBLR unit (docs/design.md §5): real (label 1) vs synthetic
// (label 0) rows, on sparse binary features — the one-hot of every column
// (class included) and the crosses (x_i, y) of every feature with the class.
// `lr`: logistic regression on those features. `mlp`: hidden layers (relu or
// tanh) whose first layer is a sparse embedding sum over the active features.
// Trained with mini-batch Adam; L2 is applied to the weights active in a batch
// (lazy, like the Adam update) and to every dense hidden weight; biases are free.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/dataset.hpp"
#include "meg/options.hpp"
#include "train/adam.hpp"

namespace meg::train {

class DiscriminatorFeatures {
 public:
  DiscriminatorFeatures(const std::vector<uint32_t>& cardinality, size_t class_col);
  size_t dim() const { return dim_; }
  size_t nnz() const { return cardinality_.size() * 2 - 1; }
  // Writes nnz() active feature indices of a row (codes in table order).
  void encode(const data::Code* row, uint32_t* out) const;

 private:
  std::vector<uint32_t> cardinality_;
  size_t class_col_;
  std::vector<size_t> onehot_offset_, cross_offset_;
  size_t dim_ = 0;
};

class Discriminator {
 public:
  Discriminator(size_t dim, size_t nnz, const UnitOptions& options, uint64_t seed);

  double logit(const uint32_t* active) const;
  // One pass over `rows` (indices into active/labels) in mini-batches of `batch`.
  // Returns the mean training loss (BCE, without the L2 term).
  double train_epoch(const std::vector<uint32_t>& active, const std::vector<uint8_t>& labels,
                     const std::vector<uint32_t>& rows, size_t batch);

  // Batch objective: mean BCE + l2/2 * (|active first-layer weights|^2 + |dense weights|^2),
  // and its exact gradient over parameters() (tests).
  double batch_objective(const uint32_t* active, const uint8_t* labels, size_t n) const;
  void batch_gradient(const uint32_t* active, const uint8_t* labels, size_t n,
                      std::vector<double>& grad) const;
  std::vector<double>& parameters() { return params_; }

 private:
  // Adds the gradient of the batch's mean BCE into grad_ (first layer: touched rows only).
  double accumulate(const uint32_t* active, const uint8_t* labels, size_t n,
                    std::vector<double>& grad, std::vector<uint32_t>& touched) const;
  double forward(const uint32_t* active, std::vector<std::vector<double>>& pre,
                 std::vector<std::vector<double>>& post) const;
  double act(double x) const { return relu_ ? (x > 0 ? x : 0.0) : std::tanh(x); }
  double act_grad(double pre, double post) const {
    return relu_ ? (pre > 0 ? 1.0 : 0.0) : 1.0 - post * post;
  }

  size_t dim_, nnz_;
  std::vector<size_t> sizes_;  // layer output sizes; last = 1
  std::vector<size_t> w_off_, b_off_;
  bool relu_ = true;
  double l2_;
  std::vector<double> params_;
  std::vector<double> grad_;
  mutable std::vector<char> row_flag_;
  Adam adam_;
  mutable std::vector<std::vector<double>> pre_, post_, delta_;
};

}  // namespace meg::train
