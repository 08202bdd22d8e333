// Options of a differentially private fit (`meg fit --epsilon E`, docs/privacy.md).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace meg {

struct DpOptions {
  double epsilon = 0;          // target epsilon (> 0, finite)
  double delta = 1e-6;         // target delta, in (0, 1): the fit uses Gaussian noise (zCDP)
  bool public_schema = false;  // the schema file's levels / edges are public: taken at no cost
  // Budget split (fractions of the zCDP budget rho; counts get the rest).
  double split_domain = 0.2;     // 1-way histograms: levels, bins, row count
  double split_structure = 0.1;  // the exponential-mechanism picks of the network
  // Part of delta reserved for the release thresholds of private level selection.
  double delta_levels = 0.1;  // fraction of delta
  int k = 2;                  // parents per column in the private network
  double snr = 3;             // a clique may hold at most n / (snr * sigma) cells
  double floor = 2;           // clique cells below floor * sigma are set to 0
  double smoothing = 1;       // back-off strength m = smoothing * sigma
  int bins = 10;              // at most this many bins per numeric column (5 when rho < 0.003)
  double rows_factor = 1;     // the pseudo-table the units are fitted on has factor * n rows
  // The noise's key: a seed (reproducible by anyone who knows it) or, when empty, the
  // operating system's entropy (a release).
  std::optional<uint64_t> noise_seed;
};

// Sets one option by key (split_domain, split_structure, delta_levels, k, snr, floor,
// smoothing, bins, rows_factor); throws InvalidArgument naming the option.
void set_dp_option(DpOptions& options, const std::string& key, const std::string& value);
// Range checks: epsilon > 0 and finite, delta in (0, 1), splits in [0, 1) summing below 1.
void validate_dp_options(const DpOptions& options);

}  // namespace meg
