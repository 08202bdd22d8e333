#include "ensemble/dp_network.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "meg/error.hpp"
#include "privacy/accountant.hpp"
#include "privacy/mechanisms.hpp"
#include "privacy/noise.hpp"
#include "privacy/selection.hpp"

namespace meg::ensemble {
namespace {

using Codes = std::vector<std::vector<uint32_t>>;  // [column][row]

Codes codes_of(const data::EncodedDataset& data) {
  Codes out(data.num_cols());
  for (size_t c = 0; c < data.num_cols(); ++c) {
    data.columns[c].visit([&](auto span) { out[c].assign(span.begin(), span.end()); });
  }
  return out;
}

double cells_of(const std::vector<uint32_t>& card, uint32_t x, const std::vector<uint32_t>& pa) {
  double cells = card[x];
  for (uint32_t p : pa) cells *= card[p];
  return cells;
}

// Counts of (parents..., x), the first parent varying slowest and x fastest.
std::vector<int64_t> count_clique(const Codes& codes, const std::vector<uint32_t>& card, uint32_t x,
                                  const std::vector<uint32_t>& pa) {
  const auto cells = static_cast<size_t>(cells_of(card, x, pa));
  std::vector<int64_t> counts(cells, 0);
  const size_t n = codes[x].size();
  for (size_t r = 0; r < n; ++r) {
    size_t cfg = 0;
    for (uint32_t p : pa) cfg = cfg * card[p] + codes[p][r];
    ++counts[cfg * card[x] + codes[x][r]];
  }
  return counts;
}

std::vector<double> normalized(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::max(x, 0.0);
  std::vector<double> out(v.size(), s > 0 ? 0.0 : 1.0 / static_cast<double>(v.size()));
  if (s > 0) {
    for (size_t i = 0; i < v.size(); ++i) out[i] = std::max(v[i], 0.0) / s;
  }
  return out;
}

// Half the L1 distance between the clique's counts and the product of its parents' counts
// with the released 1-way share of x: sensitivity 1 under add/remove of one row.
double dependence_score(const std::vector<int64_t>& counts, const std::vector<double>& share) {
  const size_t r = share.size();
  double score = 0;
  for (size_t base = 0; base < counts.size(); base += r) {
    double total = 0;
    for (size_t v = 0; v < r; ++v) total += static_cast<double>(counts[base + v]);
    for (size_t v = 0; v < r; ++v) {
      score += std::fabs(static_cast<double>(counts[base + v]) - total * share[v]);
    }
  }
  return score / 2;
}

}  // namespace

DpNetwork fit_private_network(const data::EncodedDataset& data,
                              const std::vector<std::vector<double>>& oneway, double rows,
                              const DpOptions& dp, double rho_structure, double rho_counts,
                              privacy::SecureRng& rng, privacy::PrivacyLedger& ledger) {
  const size_t d = data.num_cols();
  DpNetwork net;
  net.cardinality = data.cardinality;
  net.parents.assign(d, {});
  net.cpt.assign(d, {});
  const auto& card = net.cardinality;
  const Codes codes = codes_of(data);
  std::vector<std::vector<double>> share(d);
  for (size_t c = 0; c < d; ++c) share[c] = normalized(oneway[c]);

  // The cell cap uses the noise of d - 1 cliques (an upper bound: fewer are measured).
  const double sigma_cap =
      std::sqrt(privacy::gaussian_sigma2(std::sqrt(static_cast<double>(d - 1)), rho_counts));
  net.cell_cap = std::max(rows, 1.0) / (dp.snr * sigma_cap);

  // Structure: the first column uniformly (no data read), then one exponential-mechanism
  // pick of (column, parents) per remaining column.
  privacy::SecureRng pick = rng.derive({1});
  std::vector<bool> placed(d, false);
  const auto first = static_cast<uint32_t>(pick.below(d));
  placed[first] = true;
  net.order.push_back(first);
  const double eps_step =
      rho_structure > 0
          ? privacy::exponential_epsilon(rho_structure / static_cast<double>(d - 1) * (1 - 1e-9))
          : 0.0;
  std::map<std::array<int64_t, 3>, double> cache;
  for (size_t step = 1; step < d; ++step) {
    std::vector<std::pair<uint32_t, std::vector<uint32_t>>> cand;
    for (uint32_t x = 0; x < d; ++x) {
      if (placed[x]) continue;
      cand.push_back({x, {}});
      for (size_t i = 0; dp.k >= 1 && i < net.order.size(); ++i) {
        const uint32_t a = net.order[i];
        if (cells_of(card, x, {a}) <= net.cell_cap) cand.push_back({x, {a}});
        for (size_t j = i + 1; dp.k >= 2 && j < net.order.size(); ++j) {
          std::vector<uint32_t> pa = {std::min(a, net.order[j]), std::max(a, net.order[j])};
          if (cells_of(card, x, pa) <= net.cell_cap) cand.push_back({x, pa});
        }
      }
    }
    size_t chosen;
    if (eps_step > 0) {
      std::vector<double> scores(cand.size());
      for (size_t i = 0; i < cand.size(); ++i) {
        const auto& [x, pa] = cand[i];
        const std::array<int64_t, 3> key = {static_cast<int64_t>(x),
                                            pa.empty() ? -1 : static_cast<int64_t>(pa[0]),
                                            pa.size() < 2 ? -1 : static_cast<int64_t>(pa[1])};
        auto it = cache.find(key);
        if (it == cache.end()) {
          it = cache.emplace(key, dependence_score(count_clique(codes, card, x, pa), share[x]))
                   .first;
        }
        scores[i] = it->second;
      }
      chosen = privacy::exponential_mechanism(pick, scores, eps_step, 1.0, 1e-3);
      ledger.charge_exponential(fmt::format("structure: pick {} of {}", step, d - 1), eps_step,
                                fmt::format("{} candidates", cand.size()));
    } else {
      chosen = static_cast<size_t>(pick.below(cand.size()));
    }
    const auto& [x, pa] = cand[chosen];
    placed[x] = true;
    net.order.push_back(x);
    net.parents[x] = pa;
  }

  // Counts: every clique with parents, measured at once (a row is in one cell of each).
  size_t q = 0;
  for (size_t c = 0; c < d; ++c) q += net.parents[c].empty() ? 0 : 1;
  if (q > 0) {
    const double sigma2 = privacy::gaussian_sigma2(std::sqrt(static_cast<double>(q)), rho_counts);
    const privacy::DiscreteGaussian noise(sigma2);
    net.sigma = std::sqrt(sigma2);
    ledger.charge_gaussian(fmt::format("counts: clique marginals ({})", q),
                           std::sqrt(static_cast<double>(q)), sigma2);
  }
  const double m = dp.smoothing * net.sigma;
  for (uint32_t x : net.order) {
    const auto& pa = net.parents[x];
    const size_t r = card[x];
    if (pa.empty()) {
      net.cpt[x] = share[x];
      continue;
    }
    privacy::SecureRng stream = rng.derive({2, x});
    const auto noisy = privacy::noisy_counts(stream, count_clique(codes, card, x, pa),
                                             privacy::DiscreteGaussian(net.sigma * net.sigma));
    auto& cpt = net.cpt[x];
    cpt.resize(noisy.size());
    for (size_t base = 0; base < noisy.size(); base += r) {
      double total = 0;
      for (size_t v = 0; v < r; ++v) {
        const auto c = static_cast<double>(noisy[base + v]);
        cpt[base + v] = c >= dp.floor * net.sigma ? c : 0.0;
        total += cpt[base + v];
      }
      for (size_t v = 0; v < r; ++v) {
        cpt[base + v] =
            total + m > 0 ? (cpt[base + v] + m * share[x][v]) / (total + m) : share[x][v];
      }
    }
  }
  return net;
}

data::EncodedDataset sample_network(const DpNetwork& net, const std::vector<std::string>& names,
                                    size_t rows, uint64_t seed) {
  const size_t d = net.cardinality.size();
  std::vector<std::vector<data::Code>> cols(d, std::vector<data::Code>(rows));
  // Cumulative tables.
  std::vector<std::vector<double>> cum(d);
  for (size_t c = 0; c < d; ++c) {
    cum[c] = net.cpt[c];
    const size_t r = net.cardinality[c];
    for (size_t base = 0; base < cum[c].size(); base += r) {
      for (size_t v = 1; v < r; ++v) cum[c][base + v] += cum[c][base + v - 1];
    }
  }
  core::Rng rng(seed);
  for (size_t row = 0; row < rows; ++row) {
    for (uint32_t x : net.order) {
      size_t cfg = 0;
      for (uint32_t p : net.parents[x]) cfg = cfg * net.cardinality[p] + cols[p][row];
      const size_t r = net.cardinality[x];
      const double* t = cum[x].data() + cfg * r;
      const double u = rng.uniform() * t[r - 1];
      size_t v = 0;
      while (v + 1 < r && t[v] <= u) ++v;
      cols[x][row] = static_cast<data::Code>(v);
    }
  }
  return data::EncodedDataset::from_columns(names, net.cardinality, cols);
}

void calibrate_network(DpNetwork& net, const std::vector<std::vector<double>>& oneway, size_t rows,
                       uint64_t seed) {
  const size_t d = net.cardinality.size();
  std::vector<std::string> names(d);
  for (int pass = 0; pass < 4; ++pass) {
    const data::EncodedDataset sample =
        sample_network(net, names, rows, core::derive_seed(seed, {static_cast<uint64_t>(pass)}));
    const Codes codes = codes_of(sample);
    for (size_t x = 0; x < d; ++x) {
      if (net.parents[x].empty()) continue;  // a root's table is its 1-way already
      const size_t r = net.cardinality[x];
      std::vector<double> got(r, 0.0);
      for (uint32_t v : codes[x]) got[v] += 1;
      const auto want = normalized(oneway[x]);
      std::vector<double> ratio(r, 1.0);
      for (size_t v = 0; v < r; ++v) {
        const double g = got[v] / static_cast<double>(std::max<size_t>(rows, 1));
        ratio[v] = g > 0 ? std::clamp(want[v] / g, 0.1, 10.0) : 10.0;
      }
      auto& cpt = net.cpt[x];
      for (size_t base = 0; base < cpt.size(); base += r) {
        double total = 0;
        for (size_t v = 0; v < r; ++v) total += cpt[base + v] *= ratio[v];
        for (size_t v = 0; v < r; ++v) {
          cpt[base + v] = total > 0 ? cpt[base + v] / total : 1.0 / static_cast<double>(r);
        }
      }
    }
  }
}

}  // namespace meg::ensemble
