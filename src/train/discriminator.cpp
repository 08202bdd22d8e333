#include "train/discriminator.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::train {
namespace {

inline double softplus(double z) {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}
inline double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

DiscriminatorFeatures::DiscriminatorFeatures(const std::vector<uint32_t>& cardinality,
                                             size_t class_col)
    : cardinality_(cardinality), class_col_(class_col) {
  const uint32_t num_classes = cardinality[class_col];
  for (uint32_t r : cardinality) {
    onehot_offset_.push_back(dim_);
    dim_ += r;
  }
  for (size_t c = 0; c < cardinality.size(); ++c) {
    cross_offset_.push_back(dim_);
    if (c != class_col) dim_ += size_t{cardinality[c]} * num_classes;
  }
}

void DiscriminatorFeatures::encode(const data::Code* row, uint32_t* out) const {
  const uint32_t y = row[class_col_];
  const uint32_t num_classes = cardinality_[class_col_];
  size_t k = 0;
  for (size_t c = 0; c < cardinality_.size(); ++c) {
    out[k++] = static_cast<uint32_t>(onehot_offset_[c] + row[c]);
  }
  for (size_t c = 0; c < cardinality_.size(); ++c) {
    if (c == class_col_) continue;
    out[k++] = static_cast<uint32_t>(cross_offset_[c] + size_t{row[c]} * num_classes + y);
  }
}

Discriminator::Discriminator(size_t dim, size_t nnz, const UnitOptions& options, uint64_t seed)
    : dim_(dim), nnz_(nnz), l2_(options.discriminator_l2) {
  if (options.discriminator == DiscriminatorType::Mlp) {
    if (options.hidden.empty()) throw InvalidArgument("discriminator mlp needs hidden layers");
    for (int h : options.hidden) {
      if (h <= 0 || h > 4096) throw InvalidArgument("hidden layer sizes must be in [1, 4096]");
      sizes_.push_back(static_cast<size_t>(h));
    }
  }
  sizes_.push_back(1);
  relu_ = options.activation == Activation::Relu;
  size_t total = 0, fan_in = dim;
  for (size_t l = 0; l < sizes_.size(); ++l) {
    w_off_.push_back(total);
    total += fan_in * sizes_[l];
    b_off_.push_back(total);
    total += sizes_[l];
    fan_in = sizes_[l];
  }
  params_.assign(total, 0.0);
  if (sizes_.size() > 1) {  // glorot-uniform weights; LR starts at zero
    core::Rng rng(seed);
    size_t in = nnz;  // effective fan-in of the sparse layer
    for (size_t l = 0; l < sizes_.size(); ++l) {
      const size_t rows = l == 0 ? dim : sizes_[l - 1];
      const double limit = std::sqrt(6.0 / static_cast<double>(in + sizes_[l]));
      for (size_t i = 0; i < rows * sizes_[l]; ++i) {
        params_[w_off_[l] + i] = (2.0 * rng.uniform() - 1.0) * limit;
      }
      in = sizes_[l];
    }
  }
  grad_.assign(total, 0.0);
  row_flag_.assign(dim, 0);
  adam_ = Adam(total, options.lr_discriminator);
  pre_.resize(sizes_.size());
  post_.resize(sizes_.size());
  delta_.resize(sizes_.size());
  for (size_t l = 0; l < sizes_.size(); ++l) {
    pre_[l].resize(sizes_[l]);
    post_[l].resize(sizes_[l]);
    delta_[l].resize(sizes_[l]);
  }
}

double Discriminator::forward(const uint32_t* active, std::vector<std::vector<double>>& pre,
                              std::vector<std::vector<double>>& post) const {
  const size_t s0 = sizes_[0];
  for (size_t j = 0; j < s0; ++j) pre[0][j] = params_[b_off_[0] + j];
  for (size_t k = 0; k < nnz_; ++k) {
    const double* w = &params_[w_off_[0] + size_t{active[k]} * s0];
    for (size_t j = 0; j < s0; ++j) pre[0][j] += w[j];
  }
  const size_t last = sizes_.size() - 1;
  for (size_t l = 0; l < sizes_.size(); ++l) {
    if (l > 0) {
      for (size_t j = 0; j < sizes_[l]; ++j) pre[l][j] = params_[b_off_[l] + j];
      for (size_t i = 0; i < sizes_[l - 1]; ++i) {
        const double h = post[l - 1][i];
        const double* w = &params_[w_off_[l] + i * sizes_[l]];
        for (size_t j = 0; j < sizes_[l]; ++j) pre[l][j] += h * w[j];
      }
    }
    for (size_t j = 0; j < sizes_[l]; ++j) post[l][j] = l == last ? pre[l][j] : act(pre[l][j]);
  }
  return pre[last][0];
}

double Discriminator::logit(const uint32_t* active) const { return forward(active, pre_, post_); }

double Discriminator::accumulate(const uint32_t* active, const uint8_t* labels, size_t n,
                                 std::vector<double>& grad, std::vector<uint32_t>& touched) const {
  const size_t last = sizes_.size() - 1;
  const size_t s0 = sizes_[0];
  double loss = 0.0;
  const double inv_n = 1.0 / static_cast<double>(n);
  for (size_t r = 0; r < n; ++r) {
    const uint32_t* act_r = active + r * nnz_;
    const double z = forward(act_r, pre_, post_);
    const double y = labels[r];
    loss += softplus(z) - y * z;
    delta_[last][0] = (sigmoid(z) - y) * inv_n;
    for (size_t l = last; l > 0; --l) {
      for (size_t j = 0; j < sizes_[l]; ++j) grad[b_off_[l] + j] += delta_[l][j];
      for (size_t i = 0; i < sizes_[l - 1]; ++i) {
        const double h = post_[l - 1][i];
        const double* w = &params_[w_off_[l] + i * sizes_[l]];
        double* gw = &grad[w_off_[l] + i * sizes_[l]];
        double back = 0.0;
        for (size_t j = 0; j < sizes_[l]; ++j) {
          gw[j] += h * delta_[l][j];
          back += w[j] * delta_[l][j];
        }
        delta_[l - 1][i] = back * act_grad(pre_[l - 1][i], h);
      }
    }
    for (size_t j = 0; j < s0; ++j) grad[b_off_[0] + j] += delta_[0][j];
    for (size_t k = 0; k < nnz_; ++k) {
      double* gw = &grad[w_off_[0] + size_t{act_r[k]} * s0];
      for (size_t j = 0; j < s0; ++j) gw[j] += delta_[0][j];
      if (!row_flag_[act_r[k]]) {
        row_flag_[act_r[k]] = 1;
        touched.push_back(act_r[k]);
      }
    }
  }
  for (uint32_t a : touched) row_flag_[a] = 0;
  // L2 on the active first-layer rows and on the dense weights.
  for (uint32_t a : touched) {
    for (size_t j = 0; j < s0; ++j) {
      grad[w_off_[0] + a * s0 + j] += l2_ * params_[w_off_[0] + a * s0 + j];
    }
  }
  for (size_t l = 1; l < sizes_.size(); ++l) {
    for (size_t i = w_off_[l]; i < b_off_[l]; ++i) grad[i] += l2_ * params_[i];
  }
  return loss * inv_n;
}

double Discriminator::batch_objective(const uint32_t* active, const uint8_t* labels,
                                      size_t n) const {
  double loss = 0.0;
  std::vector<uint32_t> touched;
  for (size_t r = 0; r < n; ++r) {
    const double z = forward(active + r * nnz_, pre_, post_);
    loss += softplus(z) - labels[r] * z;
    touched.insert(touched.end(), active + r * nnz_, active + (r + 1) * nnz_);
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  double reg = 0.0;
  const size_t s0 = sizes_[0];
  for (uint32_t a : touched) {
    for (size_t j = 0; j < s0; ++j)
      reg += params_[w_off_[0] + a * s0 + j] * params_[w_off_[0] + a * s0 + j];
  }
  for (size_t l = 1; l < sizes_.size(); ++l) {
    for (size_t i = w_off_[l]; i < b_off_[l]; ++i) reg += params_[i] * params_[i];
  }
  return loss / static_cast<double>(n) + 0.5 * l2_ * reg;
}

void Discriminator::batch_gradient(const uint32_t* active, const uint8_t* labels, size_t n,
                                   std::vector<double>& grad) const {
  grad.assign(params_.size(), 0.0);
  std::vector<uint32_t> touched;
  accumulate(active, labels, n, grad, touched);
}

double Discriminator::train_epoch(const std::vector<uint32_t>& active,
                                  const std::vector<uint8_t>& labels,
                                  const std::vector<uint32_t>& rows, size_t batch) {
  std::vector<uint32_t> batch_active(batch * nnz_), touched;
  std::vector<uint8_t> batch_labels(batch);
  const size_t s0 = sizes_[0];
  double loss = 0.0;
  for (size_t start = 0; start < rows.size(); start += batch) {
    const size_t m = std::min(batch, rows.size() - start);
    for (size_t r = 0; r < m; ++r) {
      const size_t row = rows[start + r];
      std::copy_n(&active[row * nnz_], nnz_, &batch_active[r * nnz_]);
      batch_labels[r] = labels[row];
    }
    touched.clear();
    loss += accumulate(batch_active.data(), batch_labels.data(), m, grad_, touched) *
            static_cast<double>(m);
    adam_.next_step();
    for (uint32_t a : touched) {
      for (size_t j = 0; j < s0; ++j) {
        const size_t i = w_off_[0] + a * s0 + j;
        adam_.update(params_[i], i, grad_[i]);
        grad_[i] = 0.0;
      }
    }
    for (size_t i = b_off_[0]; i < params_.size(); ++i) {
      adam_.update(params_[i], i, grad_[i]);
      grad_[i] = 0.0;
    }
  }
  return rows.empty() ? 0.0 : loss / static_cast<double>(rows.size());
}

}  // namespace meg::train
