#include "privacy/domain.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

#include <fmt/format.h>

#include "meg/error.hpp"
#include "privacy/mechanisms.hpp"
#include "privacy/selection.hpp"

namespace meg::privacy {
namespace {

constexpr size_t kMaxGrid = size_t{1} << 26;
// A noisy histogram holds one count per cell.
constexpr size_t kMaxCells = size_t{1} << 20;
// Quantile targets are rounded to multiples of 2^-kQuantileBits, so q n is exact.
constexpr int kQuantileBits = 20;

}  // namespace

size_t PublicGrid::size() const {
  return static_cast<size_t>(std::floor((hi - lo) / step + 1e-9)) + 1;
}

void PublicGrid::validate() const {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi >= lo) || !(step > 0) ||
      !std::isfinite(step) || (hi - lo) / step >= static_cast<double>(kMaxGrid)) {
    throw InvalidArgument(
        fmt::format("privacy: public grid [{}, {}] step {} is invalid or has more than 2^26 points",
                    lo, hi, step));
  }
}

double private_quantile(SecureRng& rng, const std::vector<double>& sorted, double q,
                        const PublicGrid& grid, double epsilon) {
  grid.validate();
  if (!(q >= 0 && q <= 1))
    throw InvalidArgument(fmt::format("privacy: quantile {} not in [0, 1]", q));
  if (!(epsilon > 0) || !std::isfinite(epsilon)) {
    throw InvalidArgument("privacy: quantile epsilon must be finite and > 0");
  }
  const int64_t n = static_cast<int64_t>(sorted.size());
  // c is an exact q-quantile when #{x < c} <= q n <= #{x <= c}; the utility is minus the
  // distance in rows to that: -max(0, #{x < c} - q n, q n - #{x <= c}). A row moves each
  // count by at most 1 and q n by q, so the utility moves by at most 1. It is computed
  // in units of 2^-b with q rounded to a / 2^b, so every value is an exact integer.
  const int64_t scale = int64_t{1} << kQuantileBits;
  const auto a = static_cast<int64_t>(std::llround(q * static_cast<double>(scale)));
  const int64_t target = a * n;
  const size_t m = grid.size();
  // below(k) = #{x < c_k} 2^b - a n (rises with k), above(k) = a n - #{x <= c_k} 2^b (falls).
  auto below = [&](size_t k) {
    const auto r = std::lower_bound(sorted.begin(), sorted.end(), grid.at(k)) - sorted.begin();
    return static_cast<int64_t>(r) * scale - target;
  };
  auto above = [&](size_t k) {
    const auto r = std::upper_bound(sorted.begin(), sorted.end(), grid.at(k)) - sorted.begin();
    return target - static_cast<int64_t>(r) * scale;
  };
  auto utility = [&](size_t k) { return -std::max({int64_t{0}, below(k), above(k)}); };
  // The maximum is where below() overtakes above(): the first such k or the one before it.
  size_t lo = 0, hi = m;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (below(mid) >= above(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  int64_t best = INT64_MIN;
  if (lo < m) best = std::max(best, utility(lo));
  if (lo > 0) best = std::max(best, utility(lo - 1));
  // rate per unit = epsilon / (2 * 2^b), rounded down.
  Ratio rate = ratio_at_most(epsilon / 2 * (1 - 1e-12), 40);
  rate.den <<= kQuantileBits;
  return grid.at(exponential_mechanism_units(rng, m, utility, best, rate));
}

std::vector<int64_t> noisy_histogram(SecureRng& rng, const std::vector<double>& values,
                                     const PublicGrid& grid, const DiscreteGaussian& noise) {
  grid.validate();
  const size_t cells = std::max<size_t>(1, grid.size() - 1);
  if (cells > kMaxCells) {
    throw InvalidArgument(
        fmt::format("privacy: noisy histogram of {} cells (at most 2^20)", cells));
  }
  std::vector<int64_t> counts(cells, 0);
  for (double v : values) {
    if (std::isnan(v)) throw InvalidArgument("privacy: histogram of a NaN value");
    const double pos = std::floor((v - grid.lo) / grid.step);
    const auto k = static_cast<size_t>(std::clamp(pos, 0.0, static_cast<double>(cells - 1)));
    ++counts[k];
  }
  return noisy_counts(rng, counts, noise);
}

SelectedLevels select_levels(SecureRng& rng, const std::vector<int64_t>& counts,
                             const DiscreteGaussian& noise, int64_t threshold) {
  SelectedLevels out;
  out.noisy = noisy_counts(rng, counts, noise);
  for (size_t i = 0; i < counts.size(); ++i) {
    if (out.noisy[i] >= threshold) out.kept.push_back(i);
  }
  return out;
}

}  // namespace meg::privacy
