// The ELR generator of a GANBLR unit (docs/design.md §5) in the softmax
// re-parameterisation: unconstrained logits U per cell of every trainable block (a
// stored (full-level group, class) distribution, class_blocks.hpp), with
// log theta(v | group, c) = U[v] - logsumexp_{v' in block} U[v'], so every block
// stays a proper distribution without projection. A (group, class) that is not
// stored uses its back-off block, which is fixed (docs/design.md §5). b is the free class bias
// of the conditional model P(y | x) ∝ exp(b_y + sum_i log theta_i); a gives the
// joint model's class prior log rho = a - logsumexp(a) used for sampling and
// log p(x, y). The trained log theta is written straight into the KdbModel.
//
// Gradients are accumulated per mini-batch as coefficients G[cell] of
// d(objective)/d(log theta[cell]) plus per-block totals T[block]; the softmax chain
// rule then gives dObj/dU[v] = G[v] - theta[v] * T[block], applied with a lazy Adam
// step to the touched blocks only.
#pragma once
#include <cstdint>
#include <vector>

#include "bn/kdb_model.hpp"
#include "core/rng.hpp"
#include "meg/options.hpp"
#include "train/adam.hpp"

namespace meg::train {

class ElrGenerator {
 public:
  // Starts from the model's counted parameters (init = Mle: U = log theta, b = a = log rho)
  // or from glorot-uniform U with b = 0 and a = log rho (init = Glorot; the model's
  // trainable log theta is overwritten).
  ElrGenerator(bn::KdbModel& model, GeneratorInit init, double lr, core::Rng& rng);

  // Adds weight * d log P(y | x) / d params for a training row given its slots
  // (structure order); returns log P(y | x).
  double add_cll(const int32_t* slots, uint32_t y, double weight);
  // Adds weight * d log p(x, y) / d params (trainable slots only; back-off slots skipped).
  void add_joint(const int32_t* slots, uint32_t y, double weight);
  // log P(y | x) without touching the accumulators.
  double cll(const int32_t* slots, uint32_t y) const;
  // One Adam step maximising the accumulated objective; clears the accumulators and
  // refreshes the model's log theta of the touched groups and its class prior.
  void step();
  void reset_optimizer();

  // Test hooks: the accumulated gradient of the objective (to be maximised) with respect
  // to U (the model's trainable cells), b and a; and read/write access to the raw parameters.
  void accumulated_gradient(std::vector<double>& g_u, std::vector<double>& g_b,
                            std::vector<double>& g_a) const;
  std::vector<double>& logits() { return u_; }
  std::vector<double>& class_bias() { return b_; }
  std::vector<double>& prior_logits() { return a_; }
  // Recomputes the model's log theta and prior from U and a (after a test edits them).
  void sync_model();
  const std::vector<double>& class_bias() const { return b_; }

 private:
  void touch(int32_t block);
  void normalise_block(size_t b);
  void normalise_prior();

  bn::KdbModel& model_;
  uint32_t num_classes_;
  size_t cells_;  // trainable cells
  size_t trainable_groups_;
  std::vector<double> u_, b_, a_;
  std::vector<double> g_cell_, g_block_, g_b_, g_a_;
  std::vector<char> touched_flag_;
  std::vector<int32_t> touched_;
  bool prior_touched_ = false;
  Adam adam_u_, adam_b_, adam_a_;
  mutable std::vector<double> scratch_;
  std::vector<double> delta_;
};

}  // namespace meg::train
