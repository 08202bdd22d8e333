#include "train/elr_generator.hpp"

#include <algorithm>
#include <cmath>

namespace meg::train {

ElrGenerator::ElrGenerator(bn::KdbModel& model, GeneratorInit init, double lr, core::Rng& rng)
    : model_(model),
      num_classes_(model.num_classes()),
      slots_(model.layout().trainable_slots()) {
  const size_t cells = slots_ * num_classes_;
  const std::vector<double>& logp = model_.logp();
  u_.assign(logp.begin(), logp.begin() + static_cast<long>(cells));
  a_ = model_.log_prior();
  b_ = a_;
  if (init == GeneratorInit::Glorot) {
    const double limit = std::sqrt(6.0 / static_cast<double>(slots_ + num_classes_));
    for (double& w : u_) w = (2.0 * rng.uniform() - 1.0) * limit;
    std::fill(b_.begin(), b_.end(), 0.0);
  }
  g_slot_.assign(cells, 0.0);
  g_group_.assign(model_.layout().trainable_groups() * num_classes_, 0.0);
  g_b_.assign(num_classes_, 0.0);
  g_a_.assign(num_classes_, 0.0);
  touched_flag_.assign(model_.layout().trainable_groups(), 0);
  adam_u_ = Adam(cells, lr);
  adam_b_ = Adam(num_classes_, lr);
  adam_a_ = Adam(num_classes_, lr);
  scratch_.resize(num_classes_);
  delta_.resize(num_classes_);
  sync_model();
}

void ElrGenerator::sync_model() {
  for (size_t g = 0; g < model_.layout().trainable_groups(); ++g) normalise_group(g);
  normalise_prior();
}

void ElrGenerator::normalise_group(size_t g) {
  const bn::KdbLayout& layout = model_.layout();
  const size_t off = layout.group_offset(g);
  const uint32_t r = layout.group_size(g);
  std::vector<double>& logp = model_.mutable_logp();
  for (uint32_t c = 0; c < num_classes_; ++c) {
    double mx = -INFINITY;
    for (uint32_t v = 0; v < r; ++v) mx = std::max(mx, u_[(off + v) * num_classes_ + c]);
    double s = 0.0;
    for (uint32_t v = 0; v < r; ++v) s += std::exp(u_[(off + v) * num_classes_ + c] - mx);
    const double lse = mx + std::log(s);
    for (uint32_t v = 0; v < r; ++v) {
      logp[(off + v) * num_classes_ + c] = u_[(off + v) * num_classes_ + c] - lse;
    }
  }
}

void ElrGenerator::normalise_prior() {
  double mx = *std::max_element(a_.begin(), a_.end());
  double s = 0.0;
  for (double x : a_) s += std::exp(x - mx);
  const double lse = mx + std::log(s);
  std::vector<double>& prior = model_.mutable_log_prior();
  for (uint32_t c = 0; c < num_classes_; ++c) prior[c] = a_[c] - lse;
}

void ElrGenerator::touch(int32_t group) {
  if (!touched_flag_[group]) {
    touched_flag_[group] = 1;
    touched_.push_back(group);
  }
}

double ElrGenerator::cll(const int32_t* slots, uint32_t y) const {
  const std::vector<double>& logp = model_.logp();
  const size_t d = model_.layout().num_features();
  double* z = scratch_.data();
  for (uint32_t c = 0; c < num_classes_; ++c) z[c] = b_[c];
  for (size_t f = 0; f < d; ++f) {
    const double* row = &logp[static_cast<size_t>(slots[f]) * num_classes_];
    for (uint32_t c = 0; c < num_classes_; ++c) z[c] += row[c];
  }
  double mx = *std::max_element(z, z + num_classes_);
  double s = 0.0;
  for (uint32_t c = 0; c < num_classes_; ++c) s += std::exp(z[c] - mx);
  return z[y] - mx - std::log(s);
}

double ElrGenerator::add_cll(const int32_t* slots, uint32_t y, double weight) {
  const double ll = cll(slots, y);  // leaves the logits in scratch_
  const double* z = scratch_.data();
  const double log_norm = z[y] - ll;
  const size_t d = model_.layout().num_features();
  const std::vector<int32_t>& slot_group = model_.layout().slot_group();
  double* dl = delta_.data();
  for (uint32_t c = 0; c < num_classes_; ++c) {
    dl[c] = weight * ((c == y ? 1.0 : 0.0) - std::exp(z[c] - log_norm));
    g_b_[c] += dl[c];
  }
  for (size_t f = 0; f < d; ++f) {
    const auto slot = static_cast<size_t>(slots[f]);
    if (slot >= slots_) continue;  // back-off slot: fixed
    const int32_t g = slot_group[slot];
    touch(g);
    double* gs = &g_slot_[slot * num_classes_];
    double* gg = &g_group_[static_cast<size_t>(g) * num_classes_];
    for (uint32_t c = 0; c < num_classes_; ++c) {
      gs[c] += dl[c];
      gg[c] += dl[c];
    }
  }
  return ll;
}

void ElrGenerator::add_joint(const int32_t* slots, uint32_t y, double weight) {
  const size_t d = model_.layout().num_features();
  const std::vector<int32_t>& slot_group = model_.layout().slot_group();
  for (size_t f = 0; f < d; ++f) {
    const auto slot = static_cast<size_t>(slots[f]);
    if (slot >= slots_) continue;
    const int32_t g = slot_group[slot];
    touch(g);
    g_slot_[slot * num_classes_ + y] += weight;
    g_group_[static_cast<size_t>(g) * num_classes_ + y] += weight;
  }
  const std::vector<double>& prior = model_.log_prior();
  for (uint32_t c = 0; c < num_classes_; ++c) {
    g_a_[c] += weight * ((c == y ? 1.0 : 0.0) - std::exp(prior[c]));
  }
  prior_touched_ = true;
}

void ElrGenerator::accumulated_gradient(std::vector<double>& g_u, std::vector<double>& g_b,
                                        std::vector<double>& g_a) const {
  const bn::KdbLayout& layout = model_.layout();
  const std::vector<double>& logp = model_.logp();
  g_u.assign(slots_ * num_classes_, 0.0);
  for (int32_t g : touched_) {
    const size_t off = layout.group_offset(g);
    for (uint32_t v = 0; v < layout.group_size(g); ++v) {
      for (uint32_t c = 0; c < num_classes_; ++c) {
        const size_t i = (off + v) * num_classes_ + c;
        g_u[i] = g_slot_[i] - std::exp(logp[i]) * g_group_[size_t(g) * num_classes_ + c];
      }
    }
  }
  g_b = g_b_;
  g_a = g_a_;
}

void ElrGenerator::step() {
  const bn::KdbLayout& layout = model_.layout();
  const std::vector<double>& logp = model_.logp();
  adam_u_.next_step();
  adam_b_.next_step();
  for (int32_t g : touched_) {
    const size_t off = layout.group_offset(g);
    const uint32_t r = layout.group_size(g);
    double* gg = &g_group_[static_cast<size_t>(g) * num_classes_];
    for (uint32_t v = 0; v < r; ++v) {
      for (uint32_t c = 0; c < num_classes_; ++c) {
        const size_t i = (off + v) * num_classes_ + c;
        const double grad = g_slot_[i] - std::exp(logp[i]) * gg[c];
        adam_u_.update(u_[i], i, -grad);
        g_slot_[i] = 0.0;
      }
    }
    std::fill(gg, gg + num_classes_, 0.0);
    touched_flag_[g] = 0;
    normalise_group(static_cast<size_t>(g));
  }
  touched_.clear();
  for (uint32_t c = 0; c < num_classes_; ++c) {
    adam_b_.update(b_[c], c, -g_b_[c]);
    g_b_[c] = 0.0;
  }
  if (prior_touched_) {
    adam_a_.next_step();
    for (uint32_t c = 0; c < num_classes_; ++c) {
      adam_a_.update(a_[c], c, -g_a_[c]);
      g_a_[c] = 0.0;
    }
    normalise_prior();
    prior_touched_ = false;
  }
}

void ElrGenerator::reset_optimizer() {
  adam_u_.reset();
  adam_b_.reset();
  adam_a_.reset();
}

}  // namespace meg::train
