#include "bn/evidence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "meg/error.hpp"

namespace meg::bn {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

void check_evidence(const KdbModel& m, const Evidence& e) {
  if (e.allowed.size() > m.num_cols()) throw InvalidArgument("evidence: too many columns");
  for (size_t c = 0; c < e.allowed.size(); ++c) {
    for (uint32_t v : e.allowed[c]) {
      if (v >= m.cardinality()[c]) {
        throw InvalidArgument("evidence: code " + std::to_string(v) + " of column " +
                              std::to_string(c) + " out of range");
      }
    }
  }
}

// Draws one value among `allowed` with probability proportional to exp(logp[base + v]);
// returns log of the allowed mass (kNegInf if zero, then *value is allowed[0]).
double draw_restricted(const double* logp, const std::vector<uint32_t>& allowed, core::Rng& rng,
                       uint32_t* value) {
  if (allowed.size() == 1) {
    *value = allowed[0];
    return logp[allowed[0]];
  }
  double mass = 0.0;
  for (uint32_t v : allowed) mass += std::exp(logp[v]);
  *value = allowed[0];
  if (!(mass > 0.0)) return kNegInf;
  double t = rng.uniform() * mass;
  for (uint32_t v : allowed) {
    *value = v;
    t -= std::exp(logp[v]);
    if (t < 0.0) break;
  }
  return std::log(mass);
}

// Sampler state shared by all particles of one call.
class Particles {
 public:
  Particles(const KdbModel& m, const Evidence& e) : m_(m), e_(e) {
    const size_t cc = m.structure().class_col;
    if (e.constrains(cc)) {
      double mass = 0.0;
      for (uint32_t y : e.allowed[cc]) mass += std::exp(m.log_prior()[y]);
      root_log_mass_ = mass > 0.0 ? std::log(mass) : kNegInf;
    }
    for (size_t f = 0; f < m.layout().num_features(); ++f) {
      if (e.constrains(m.layout().feature(f).column)) features_constrained_ = true;
    }
  }
  bool features_constrained() const { return features_constrained_; }
  double root_log_mass() const { return root_log_mass_; }

  // Fills codes[num_cols] with one particle; returns its log weight.
  double draw(core::Rng& rng, data::Code* codes) const {
    const KdbLayout& layout = m_.layout();
    const size_t cc = m_.structure().class_col;
    double logw = 0.0;
    uint32_t y;
    if (e_.constrains(cc)) {
      logw = draw_restricted(m_.log_prior().data(), e_.allowed[cc], rng, &y);
    } else {
      y = m_.draw_class(rng);
    }
    codes[cc] = y;
    auto code_at = [&](uint32_t col) { return codes[col]; };
    for (size_t f = 0; f < layout.num_features(); ++f) {
      const FeatureLayout& fl = layout.feature(f);
      const int32_t g = layout.lookup_row(f, code_at);
      const auto b = static_cast<size_t>(m_.block_of(g, y));
      if (e_.constrains(fl.column)) {
        uint32_t v;
        logw += draw_restricted(&m_.logp()[m_.blocks().offset(b)], e_.allowed[fl.column], rng, &v);
        codes[fl.column] = v;
      } else {
        codes[fl.column] = m_.draw_value(rng, b);
      }
    }
    return logw;
  }

 private:
  const KdbModel& m_;
  const Evidence& e_;
  double root_log_mass_ = 0.0;
  bool features_constrained_ = false;
};

double log_sum_exp(const std::vector<double>& x) {
  double mx = kNegInf;
  for (double v : x) mx = std::max(mx, v);
  if (mx == kNegInf) return kNegInf;
  double s = 0.0;
  for (double v : x) s += std::exp(v - mx);
  return mx + std::log(s);
}

}  // namespace

bool Evidence::empty() const {
  return std::all_of(allowed.begin(), allowed.end(), [](const auto& a) { return a.empty(); });
}

std::optional<double> exact_log_evidence(const KdbModel& m, const Evidence& e) {
  check_evidence(m, e);
  const KdbLayout& layout = m.layout();
  std::vector<size_t> feats;  // constrained features, structure order
  double combos = 1.0;
  for (size_t f = 0; f < layout.num_features(); ++f) {
    const FeatureLayout& fl = layout.feature(f);
    if (!e.constrains(fl.column)) continue;
    for (uint32_t p : fl.parents) {
      if (!e.constrains(p)) return std::nullopt;
    }
    combos *= static_cast<double>(e.allowed[fl.column].size());
    feats.push_back(f);
  }
  if (combos > static_cast<double>(kMaxExactCombos)) return std::nullopt;
  const size_t cc = m.structure().class_col;
  std::vector<double> terms;
  std::vector<data::Code> codes(m.num_cols(), 0);
  auto code_at = [&](uint32_t col) { return codes[col]; };
  // Depth-first over the constrained features' allowed values.
  auto recurse = [&](auto&& self, size_t i, uint32_t y, double lp) -> void {
    if (i == feats.size()) {
      terms.push_back(lp);
      return;
    }
    const size_t f = feats[i];
    const FeatureLayout& fl = layout.feature(f);
    const int32_t g = layout.lookup_row(f, code_at);
    const size_t base = m.blocks().offset(static_cast<size_t>(m.block_of(g, y)));
    for (uint32_t v : e.allowed[fl.column]) {
      codes[fl.column] = v;
      self(self, i + 1, y, lp + m.logp()[base + v]);
    }
  };
  for (uint32_t y = 0; y < m.num_classes(); ++y) {
    if (e.constrains(cc) && !std::binary_search(e.allowed[cc].begin(), e.allowed[cc].end(), y)) {
      continue;
    }
    codes[cc] = y;
    recurse(recurse, 0, y, m.log_prior()[y]);
  }
  return log_sum_exp(terms);
}

double log_evidence(const KdbModel& m, const Evidence& e, size_t particles, uint64_t seed) {
  if (auto exact = exact_log_evidence(m, e)) return *exact;
  Particles ps(m, e);
  core::Rng rng(core::derive_seed(seed, {m.structure().class_col, 2}));
  std::vector<data::Code> codes(m.num_cols());
  std::vector<double> logw(std::max<size_t>(1, particles));
  for (double& w : logw) w = ps.draw(rng, codes.data());
  return log_sum_exp(logw) - std::log(static_cast<double>(logw.size()));
}

void sample_with_evidence(const KdbModel& m, const Evidence& e, size_t n, uint64_t seed,
                          data::Code* out, int threads) {
  check_evidence(m, e);
  Particles ps(m, e);
  if (ps.root_log_mass() == kNegInf) {
    throw InvalidArgument("condition has probability zero under the model");
  }
  const size_t d = m.num_cols();
  const size_t blocks = (n + KdbModel::kBlockRows - 1) / KdbModel::kBlockRows;
  core::parallel_for(blocks, threads, [&](size_t b) {
    const size_t begin = b * KdbModel::kBlockRows;
    const size_t rows = std::min(n, begin + KdbModel::kBlockRows) - begin;
    core::Rng rng(core::derive_seed(seed, {m.structure().class_col, b, 1}));
    data::Code* dst = out + begin * d;
    if (!ps.features_constrained()) {  // exact: clamp / restrict the root only
      for (size_t r = 0; r < rows; ++r) ps.draw(rng, dst + r * d);
      return;
    }
    const size_t np = std::max<size_t>(4 * rows, 1024);
    std::vector<data::Code> pool(np * d);
    std::vector<double> w(np);
    double mx = kNegInf;
    for (size_t i = 0; i < np; ++i) {
      w[i] = ps.draw(rng, pool.data() + i * d);
      mx = std::max(mx, w[i]);
    }
    if (mx == kNegInf) throw InvalidArgument("condition has probability zero under the model");
    double total = 0.0;
    for (double& x : w) total += (x = std::exp(x - mx));
    // Systematic resampling: rows evenly spaced pointers into the cumulative weights.
    const double step = total / static_cast<double>(rows);
    double target = rng.uniform() * step, acc = w[0];
    size_t i = 0;
    for (size_t r = 0; r < rows; ++r) {
      while (acc <= target && i + 1 < np) acc += w[++i];
      std::copy_n(pool.data() + i * d, d, dst + r * d);
      target += step;
    }
  });
}

}  // namespace meg::bn
