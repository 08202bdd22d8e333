#include "train/elr_generator.hpp"

#include <algorithm>
#include <cmath>

namespace meg::train {

ElrGenerator::ElrGenerator(bn::KdbModel& model, GeneratorInit init, double lr, core::Rng& rng)
    : model_(model),
      num_classes_(model.num_classes()),
      cells_(model.blocks().trainable_cells()),
      trainable_groups_(model.layout().trainable_groups()) {
  const std::vector<double>& logp = model_.logp();
  u_.assign(logp.begin(), logp.begin() + static_cast<long>(cells_));
  a_ = model_.log_prior();
  b_ = a_;
  if (init == GeneratorInit::Glorot) {
    const double limit =
        std::sqrt(6.0 / static_cast<double>(model_.layout().trainable_slots() + num_classes_));
    for (double& w : u_) w = (2.0 * rng.uniform() - 1.0) * limit;
    std::fill(b_.begin(), b_.end(), 0.0);
  }
  const size_t blocks = model_.blocks().trainable_blocks();
  g_cell_.assign(cells_, 0.0);
  g_block_.assign(blocks, 0.0);
  g_b_.assign(num_classes_, 0.0);
  g_a_.assign(num_classes_, 0.0);
  touched_flag_.assign(blocks, 0);
  adam_u_ = Adam(cells_, lr);
  adam_b_ = Adam(num_classes_, lr);
  adam_a_ = Adam(num_classes_, lr);
  scratch_.resize(num_classes_);
  delta_.resize(num_classes_);
  sync_model();
}

void ElrGenerator::sync_model() {
  for (size_t b = 0; b < model_.blocks().trainable_blocks(); ++b) normalise_block(b);
  normalise_prior();
}

void ElrGenerator::normalise_block(size_t b) {
  const bn::ClassBlocks& blocks = model_.blocks();
  const size_t off = blocks.offset(b);
  const uint32_t r = blocks.block_size(b);
  std::vector<double>& logp = model_.mutable_logp();
  double mx = -INFINITY;
  for (uint32_t v = 0; v < r; ++v) mx = std::max(mx, u_[off + v]);
  double s = 0.0;
  for (uint32_t v = 0; v < r; ++v) s += std::exp(u_[off + v] - mx);
  const double lse = mx + std::log(s);
  for (uint32_t v = 0; v < r; ++v) logp[off + v] = u_[off + v] - lse;
}

void ElrGenerator::normalise_prior() {
  double mx = *std::max_element(a_.begin(), a_.end());
  double s = 0.0;
  for (double x : a_) s += std::exp(x - mx);
  const double lse = mx + std::log(s);
  std::vector<double>& prior = model_.mutable_log_prior();
  for (uint32_t c = 0; c < num_classes_; ++c) prior[c] = a_[c] - lse;
}

void ElrGenerator::touch(int32_t block) {
  if (!touched_flag_[block]) {
    touched_flag_[block] = 1;
    touched_.push_back(block);
  }
}

double ElrGenerator::cll(const int32_t* slots, uint32_t y) const {
  const bn::KdbLayout& layout = model_.layout();
  const bn::ClassBlocks& blocks = model_.blocks();
  const std::vector<double>& logp = model_.logp();
  const size_t d = layout.num_features();
  double* z = scratch_.data();
  for (uint32_t c = 0; c < num_classes_; ++c) z[c] = b_[c];
  for (size_t f = 0; f < d; ++f) {
    const int32_t g = layout.slot_group(static_cast<size_t>(slots[f]));
    const uint32_t x =
        static_cast<uint32_t>(slots[f]) - layout.group_offset(static_cast<size_t>(g));
    for (uint32_t c = 0; c < num_classes_; ++c) {
      z[c] += logp[blocks.offset(static_cast<size_t>(model_.block_of(g, c))) + x];
    }
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
  const bn::KdbLayout& layout = model_.layout();
  const bn::ClassBlocks& blocks = model_.blocks();
  const size_t d = layout.num_features();
  double* dl = delta_.data();
  for (uint32_t c = 0; c < num_classes_; ++c) {
    dl[c] = weight * ((c == y ? 1.0 : 0.0) - std::exp(z[c] - log_norm));
    g_b_[c] += dl[c];
  }
  for (size_t f = 0; f < d; ++f) {
    const auto g = static_cast<size_t>(layout.slot_group(static_cast<size_t>(slots[f])));
    if (g >= trainable_groups_) continue;  // back-off group: fixed
    const uint32_t x = static_cast<uint32_t>(slots[f]) - layout.group_offset(g);
    for (uint32_t c = 0; c < num_classes_; ++c) {
      const int32_t b = blocks.find(g, c);
      if (b < 0) continue;  // (group, class) never seen: its back-off is fixed
      touch(b);
      g_cell_[blocks.offset(static_cast<size_t>(b)) + x] += dl[c];
      g_block_[static_cast<size_t>(b)] += dl[c];
    }
  }
  return ll;
}

void ElrGenerator::add_joint(const int32_t* slots, uint32_t y, double weight) {
  const bn::KdbLayout& layout = model_.layout();
  const bn::ClassBlocks& blocks = model_.blocks();
  const size_t d = layout.num_features();
  for (size_t f = 0; f < d; ++f) {
    const auto g = static_cast<size_t>(layout.slot_group(static_cast<size_t>(slots[f])));
    if (g >= trainable_groups_) continue;
    const int32_t b = blocks.find(g, y);
    if (b < 0) continue;
    touch(b);
    g_cell_[blocks.offset(static_cast<size_t>(b)) + static_cast<uint32_t>(slots[f]) -
            layout.group_offset(g)] += weight;
    g_block_[static_cast<size_t>(b)] += weight;
  }
  const std::vector<double>& prior = model_.log_prior();
  for (uint32_t c = 0; c < num_classes_; ++c) {
    g_a_[c] += weight * ((c == y ? 1.0 : 0.0) - std::exp(prior[c]));
  }
  prior_touched_ = true;
}

void ElrGenerator::accumulated_gradient(std::vector<double>& g_u, std::vector<double>& g_b,
                                        std::vector<double>& g_a) const {
  const bn::ClassBlocks& blocks = model_.blocks();
  const std::vector<double>& logp = model_.logp();
  g_u.assign(cells_, 0.0);
  for (int32_t b : touched_) {
    const size_t off = blocks.offset(static_cast<size_t>(b));
    for (uint32_t v = 0; v < blocks.block_size(static_cast<size_t>(b)); ++v) {
      g_u[off + v] = g_cell_[off + v] - std::exp(logp[off + v]) * g_block_[static_cast<size_t>(b)];
    }
  }
  g_b = g_b_;
  g_a = g_a_;
}

void ElrGenerator::step() {
  const bn::ClassBlocks& blocks = model_.blocks();
  const std::vector<double>& logp = model_.logp();
  adam_u_.next_step();
  adam_b_.next_step();
  for (int32_t b : touched_) {
    const auto bi = static_cast<size_t>(b);
    const size_t off = blocks.offset(bi);
    const uint32_t r = blocks.block_size(bi);
    for (uint32_t v = 0; v < r; ++v) {
      const double grad = g_cell_[off + v] - std::exp(logp[off + v]) * g_block_[bi];
      adam_u_.update(u_[off + v], off + v, -grad);
      g_cell_[off + v] = 0.0;
    }
    g_block_[bi] = 0.0;
    touched_flag_[bi] = 0;
    normalise_block(bi);
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
