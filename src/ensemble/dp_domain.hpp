// The domain of a differentially private fit (docs/privacy.md §6-§7): one noisy 1-way
// histogram per column, all measured at once, from which the codec is built by
// post-processing: categorical levels declared public or selected privately above a
// release threshold, numeric bins from public edges or from noisy counts on a public grid.
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "meg/dp_options.hpp"
#include "privacy/ledger.hpp"
#include "privacy/secure_rng.hpp"

namespace meg::ensemble {

// What a schema file declares beyond data::ColumnSchema for a DP fit: the levels of a
// categorical column, the bin edges of a numeric one, the decimals written.
struct DeclaredDomain {
  bool has_levels = false;
  std::vector<std::string> levels;
  bool has_edges = false;
  std::vector<double> edges;  // ascending, at least two
  int decimals = -1;          // -1: 0 for integer columns, 2 for continuous ones
};

struct PrivateDomain {
  data::TableCodec codec;
  // Per column, per code: the noisy 1-way counts after post-processing (>= 0).
  std::vector<std::vector<double>> oneway;
  double rows = 0;        // the noisy number of rows (post-processed from the 1-ways)
  double sigma = 0;       // noise standard deviation of each 1-way cell
  int64_t threshold = 0;  // release threshold of private levels (0: none selected)
  nlohmann::json notes = nlohmann::json::object();
};

// The public grid of a numeric column whose range is not declared: 0 and +-10^(j/40)
// for j in [-120, 600] (ratio 1.059 from 0.001 to 1e15); for integer columns every integer
// up to 1000 in absolute value, then the same ratio rounded. It depends on nothing but the
// column's type.
std::vector<double> universal_grid(bool integer);

// Measures the 1-way histograms of every column with discrete Gaussian noise costing
// `rho` (L2 sensitivity sqrt(columns)); with private categorical columns, levels are kept
// at or above release_threshold(noise, delta_levels / their number) and the charge adds
// delta_levels. Columns with declared levels or edges use them (public_schema).
PrivateDomain measure_domain(const data::CsvTable& table, const data::Schema& schema,
                             const std::vector<DeclaredDomain>& declared, const DpOptions& dp,
                             double rho, double delta_levels, privacy::SecureRng& rng,
                             privacy::PrivacyLedger& ledger);

}  // namespace meg::ensemble
