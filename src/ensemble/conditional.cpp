#include "ensemble/conditional.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "ensemble/chunked_sampler.hpp"
#include "ensemble/weights.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

// Stream ids for derive_seed (distinct from meg_model.cpp's).
enum : uint64_t {
  kEvidenceStream = 21,
  kCondSampleStream = 22,
  kCondShuffleStream = 23,
  kCondDecodeStream = 24
};

}  // namespace

ConditionalSampler::ConditionalSampler(const MegModel& model, const std::vector<std::string>& where,
                                       int threads)
    : model_(model) {
  conditions_ = model.codec().parse_conditions(where);
  evidence_.allowed.assign(model.codec().num_cols(), {});
  for (const auto& c : conditions_) evidence_.allowed[c.column] = c.codes;
  const auto& units = model.units();
  const auto& w = model.weights();
  std::vector<double> logpost(units.size(), -std::numeric_limits<double>::infinity());
  core::parallel_for(units.size(), threads, [&](size_t u) {
    if (!(w[u] > 0.0)) return;
    logpost[u] = std::log(w[u]) + bn::log_evidence(units[u].model(), evidence_, kEvidenceParticles,
                                                   core::derive_seed(0, {kEvidenceStream, u}));
  });
  const double mx = *std::max_element(logpost.begin(), logpost.end());
  if (!std::isfinite(mx)) {
    throw InvalidArgument("condition has probability zero under the model");
  }
  double total = 0.0;
  posterior_.resize(units.size());
  for (size_t u = 0; u < units.size(); ++u) total += (posterior_[u] = std::exp(logpost[u] - mx));
  for (double& p : posterior_) p /= total;
  log_probability_ = mx + std::log(total);
}

void ConditionalSampler::sample_text(uint64_t n, uint64_t seed, int threads,
                                     const std::function<void(const std::string&)>& sink,
                                     const RowsWritten& written) const {
  const auto& codec = model_.codec();
  std::string header;
  codec.write_header(header);
  sink(header);
  sample_chunked(
      posterior_, codec.num_cols(), n, seed, threads,
      {kCondSampleStream, kCondShuffleStream, kCondDecodeStream},
      [&](size_t u, uint64_t rows, uint64_t unit_seed, data::Code* out) {
        bn::sample_with_evidence(model_.units()[u].model(), evidence_, rows, unit_seed, out, 1);
      },
      [&](const data::Code* codes, size_t rows, uint64_t first_row, core::Rng& rng,
          std::string& out) { codec.decode_rows(codes, rows, rng, out, conditions_, first_row); },
      sink, written);
}

std::string ConditionalSampler::sample_csv(uint64_t n, uint64_t seed, int threads) const {
  return collect_text([&](const TextSink& sink) { sample_text(n, seed, threads, sink); });
}

void ConditionalSampler::sample_to_file(uint64_t n, uint64_t seed, int threads,
                                        const std::string& path, const RowsWritten& written) const {
  write_text_file(path,
                  [&](const TextSink& sink) { sample_text(n, seed, threads, sink, written); });
}

}  // namespace meg::ensemble
