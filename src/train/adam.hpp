// Adam over a flat parameter vector, with lazy (sparse) use: only the entries a
// step touches are updated, with the bias correction of the global step count
// (as TensorFlow's LazyAdam). Keras defaults except eps.
#pragma once
#include <cmath>
#include <cstddef>
#include <vector>

namespace meg::train {

class Adam {
 public:
  Adam() = default;
  Adam(size_t n, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
      : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps), m_(n, 0.0), v_(n, 0.0) {}

  // Call once per optimiser step, before the update() calls of that step.
  void next_step() {
    ++t_;
    pow1_ *= beta1_;
    pow2_ *= beta2_;
    step_size_ = lr_ * std::sqrt(1.0 - pow2_) / (1.0 - pow1_);
  }
  // Gradient-descent update of p[i] with gradient g.
  void update(double& p, size_t i, double g) {
    double& m = m_[i];
    double& v = v_[i];
    m = beta1_ * m + (1.0 - beta1_) * g;
    v = beta2_ * v + (1.0 - beta2_) * g * g;
    p -= step_size_ * m / (std::sqrt(v) + eps_);
  }
  void reset() {
    std::fill(m_.begin(), m_.end(), 0.0);
    std::fill(v_.begin(), v_.end(), 0.0);
    t_ = 0;
    pow1_ = pow2_ = 1.0;
  }
  size_t size() const { return m_.size(); }

 private:
  double lr_ = 1e-3, beta1_ = 0.9, beta2_ = 0.999, eps_ = 1e-8;
  std::vector<double> m_, v_;
  long t_ = 0;
  double pow1_ = 1.0, pow2_ = 1.0, step_size_ = 0.0;
};

}  // namespace meg::train
