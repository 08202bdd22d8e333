#include "eval/attacks.hpp"

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "core/stats.hpp"
#include "eval/metrics.hpp"
#include "eval/privacy.hpp"

namespace meg::eval {

namespace {

AttackResult scored(const char* name, const char* model, const std::vector<double>& score,
                    const std::vector<int>& member, size_t reference_rows) {
  AttackResult a;
  a.name = name;
  a.model = model;
  a.roc_auc = core::roc_auc(score, member);
  a.tpr_at_1pct_fpr = tpr_at_fpr(score, member, 0.01);
  a.members = static_cast<uint64_t>(std::count(member.begin(), member.end(), 1));
  a.non_members = member.size() - a.members;
  a.reference_rows = reference_rows;
  return a;
}

}  // namespace

std::vector<AttackResult> membership_attacks(const Preprocessor& pre, const PreparedTable& train,
                                             const PreparedTable& test,
                                             const PreparedTable& synthetic,
                                             const AttackSettings& s) {
  const size_t m = std::min({s.max_candidates, train.rows, test.rows / 2});
  // Candidates: members, then non-members; the test rows left over are the reference.
  const std::vector<size_t> members = sample_indices(train.rows, m, core::derive_seed(s.seed, {1}));
  std::vector<size_t> shuffled = all_rows(test.rows);
  core::Rng rng(core::derive_seed(s.seed, {2}));
  for (size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng.below(i)]);
  std::vector<size_t> non_members(shuffled.begin(), shuffled.begin() + static_cast<long>(m));
  std::vector<size_t> reference(shuffled.begin() + static_cast<long>(m), shuffled.end());
  if (reference.size() > s.max_reference) reference.resize(s.max_reference);
  std::sort(non_members.begin(), non_members.end());
  std::sort(reference.begin(), reference.end());
  std::vector<int> member(2 * m, 0);
  std::fill(member.begin(), member.begin() + static_cast<long>(m), 1);

  // Distances of every candidate to its closest synthetic row and to its closest reference row.
  const DistanceSpace space(pre, train);
  auto nearest = [&](const PreparedTable& in, const std::vector<size_t>& rows) {
    std::vector<double> d = space.nearest(in, rows, train, members, s.threads);
    std::vector<double> other = space.nearest(in, rows, test, non_members, s.threads);
    d.insert(d.end(), other.begin(), other.end());
    return d;
  };
  const std::vector<double> to_synthetic = nearest(synthetic, all_rows(synthetic.rows));
  const std::vector<double> to_reference = nearest(test, reference);
  std::vector<AttackResult> out;
  std::vector<double> score(2 * m);
  for (size_t i = 0; i < score.size(); ++i) score[i] = -to_synthetic[i];
  out.push_back(
      scored("distance", "minus the distance to the closest synthetic row", score, member, 0));
  // Nearest-neighbour density estimates: p(x) ~ 1 / (n d(x)^D), so the log density ratio is
  // D (log d_reference - log d_synthetic) + a constant, ranked the same without D.
  const double eps = 1e-9;
  for (size_t i = 0; i < score.size(); ++i) {
    score[i] = std::log(to_reference[i] + eps) - std::log(to_synthetic[i] + eps);
  }
  out.push_back(scored("density_ratio", "log nearest-neighbour density, synthetic over reference",
                       score, member, reference.size()));
  return out;
}

}  // namespace meg::eval
