// Membership-inference attacks on a synthetic table: can an attacker who holds
// the synthetic rows tell the real rows the generator was fitted on (members:
// real train) from other real rows of the same population (non-members: real
// test)? docs/evaluation.md gives the threat model.
//
// Candidates: m members sampled from real train and m non-members sampled from
// real test (balanced, seeded), m = min(max_candidates, train rows, test rows /
// 2); the test rows not drawn as candidates are the attacker's reference
// sample of the population (at most max_reference of them).
//   distance       score = - distance from the candidate to its closest
//                  synthetic row (the DCR space): a generator that reproduces
//                  its training rows puts members closer.
//   density_ratio  score = log p_synthetic(x) - log p_population(x), each
//                  density estimated by the nearest-neighbour estimator
//                  (p(x) ~ 1 / (n d_1(x)^D) in the same space) on the
//                  synthetic rows and on the reference rows. A generator that
//                  overfits puts density peaks on its training rows that the
//                  population does not have; dividing by the population
//                  density finds them in sparse regions too, where a plain
//                  distance does not stand out (the density-ratio idea of
//                  DOMIAS, van Breugel et al., AISTATS 2023, with a
//                  nearest-neighbour density instead of a neural one).
// Each is reported as the ROC-AUC of members against non-members (0.5 = no
// better than a coin) and the true-positive rate at a 1% false-positive rate.
// Cost: O(m x (synthetic rows + reference rows) x columns) time, O((rows of
// the three tables) x columns) memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "eval/prepared.hpp"
#include "meg/evaluation_result.hpp"

namespace meg::eval {

struct AttackSettings {
  size_t max_candidates = 1000;  // per side
  size_t max_reference = 10000;
  int threads = 1;
  uint64_t seed = 0;
};

std::vector<AttackResult> membership_attacks(const Preprocessor& pre, const PreparedTable& train,
                                             const PreparedTable& test,
                                             const PreparedTable& synthetic,
                                             const AttackSettings& settings);

}  // namespace meg::eval
