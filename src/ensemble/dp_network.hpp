// The private Bayesian network of a differentially private fit (docs/privacy.md §7):
// a PrivBayes-style search, one column at a time by the exponential mechanism over
// (column, parent set) candidates, then every clique {column} + parents measured once with
// discrete Gaussian noise. Its conditionals are post-processed (noise floor, back-off to
// the noisy 1-way, calibration of each column to its 1-way) and sampled into a
// pseudo-table: everything after the two measurements reads no data.
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "meg/dp_options.hpp"
#include "privacy/ledger.hpp"
#include "privacy/secure_rng.hpp"

namespace meg::ensemble {

struct DpNetwork {
  std::vector<uint32_t> cardinality;
  std::vector<uint32_t> order;                 // columns, parents first
  std::vector<std::vector<uint32_t>> parents;  // per column
  // Per column: P(x | parents), [configuration][value], configuration index with the
  // first parent varying slowest.
  std::vector<std::vector<double>> cpt;
  double sigma = 0;     // noise standard deviation of the clique cells
  double cell_cap = 0;  // largest clique allowed
};

// Learns the structure (spending rho_structure in d - 1 picks) and measures the cliques
// (spending rho_counts) on `data`; oneway and rows are the noisy 1-ways and row count.
DpNetwork fit_private_network(const data::EncodedDataset& data,
                              const std::vector<std::vector<double>>& oneway, double rows,
                              const DpOptions& dp, double rho_structure, double rho_counts,
                              privacy::SecureRng& rng, privacy::PrivacyLedger& ledger);

// `rows` rows drawn from the network (post-processing; core::Rng seeded by `seed`).
data::EncodedDataset sample_network(const DpNetwork& net, const std::vector<std::string>& names,
                                    size_t rows, uint64_t seed);

// Scales each column's conditionals so the network's 1-way marginals (estimated on a sample
// of `rows` rows) approach `oneway` (four passes, ratios clipped to [0.1, 10]).
void calibrate_network(DpNetwork& net, const std::vector<std::vector<double>>& oneway, size_t rows,
                       uint64_t seed);

}  // namespace meg::ensemble
