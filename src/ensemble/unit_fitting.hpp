// The steps of fitting an ensemble that the fit, the smoothing selection and
// the refit share: fitting every unit (in parallel, with progress), scoring
// and weighing them on held-out rows, and drawing rows of the mixture.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "meg/options.hpp"
#include "meg/progress.hpp"
#include "train/unit.hpp"

namespace meg::ensemble {

// Serialises progress reports of units fitted in parallel.
class ProgressRelay {
 public:
  ProgressRelay(const ProgressFn& fn, size_t total)
      : fn_(fn), total_(total), start_(std::chrono::steady_clock::now()) {}
  void report(Progress p) {
    if (!fn_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    p.units_total = total_;
    p.units_done = done_;
    p.elapsed_seconds = elapsed();
    fn_(p);
  }
  void unit_done(const std::string& stage, const std::string& unit) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++done_;
    if (!fn_) return;
    Progress p;
    p.stage = stage;
    p.unit = unit;
    p.phase = "done";
    p.units_total = total_;
    p.units_done = done_;
    p.elapsed_seconds = elapsed();
    fn_(p);
  }
  void reset() { done_ = 0; }
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  const ProgressFn& fn_;
  size_t total_;
  size_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
};

// Fits one unit per class column in `cols` on `ds` (seeds derived from o.seed,
// `stream` and the column); with `val`, also loglik[u][i] = log p(row i of val)
// under unit u. A unit leaves with its counts only: the tables its scoring
// built are dropped, so only the units in flight hold a value per cell. `hints`: shared by
// every unit's structure search. `structures`: empty, it receives the units' structures;
// filled (by an earlier call on the same rows and units), they are reused. `check`: Scan
// checks ds's codes once for all the units; Checked when the caller did (train::check_codes).
std::vector<train::GanblrUnit> fit_units(
    const data::DatasetView& ds, const std::vector<size_t>& cols, const FitOptions& o,
    uint64_t stream, const std::string& stage, ProgressRelay& relay,
    const data::DatasetView* val = nullptr, std::vector<std::vector<double>>* loglik = nullptr,
    const bn::SearchHints* hints = nullptr, std::vector<bn::KdbStructure>* structures = nullptr,
    train::CodeCheck check = train::CodeCheck::Scan);

// The structures fit_units(ds, cols, o, ..., hints) would search, one per unit (the
// units searched `threads` at a time, as fit_units fits them; in a distributed fit
// each process searches its share and they are allgathered). Passed back to fit_units
// as `structures`, they give the units it would fit (the same bytes): the model-size
// guard reads them between the search and the counting. Reports "search" progress.
std::vector<bn::KdbStructure> search_structures(const data::DatasetView& ds,
                                                const std::vector<size_t>& cols,
                                                const FitOptions& o, ProgressRelay& relay,
                                                const bn::SearchHints* hints = nullptr);

// The units of an earlier fit_units(ds, cols, o', ...) whose options o' differ from `o`
// only in the strengths with_smoothing sets, changed to `o`'s strengths and scored on `val`
// (loglik) as fit_units(ds, cols, o, ..., &val, &loglik) would: a unit's counts, layout
// and structure do not depend on the strength, so these are the units it would fit,
// without counting again (the same bytes). False, with the units untouched, when a unit
// whose strength is set is also trained (its parameters then depend on the strength).
bool restrength_units(std::vector<train::GanblrUnit>& units, const data::DatasetView& ds,
                      const std::vector<size_t>& cols, const FitOptions& o,
                      const std::string& stage, ProgressRelay& relay, const data::DatasetView& val,
                      std::vector<std::vector<double>>& loglik);

struct Weighted {
  std::vector<double> weights;
  std::vector<std::vector<double>> loglik;  // per unit, per held-out row (input)
  std::vector<double> reference_losses;     // reference weighting only
};

// Weights of units already scored on the held-out rows `val` (w.loglik), by
// options.weighting; the reference weighting samples with seeds derived from
// options.seed and `reference_stream`.
void weigh_units(const std::vector<train::GanblrUnit>& units, const data::DatasetView& val,
                 const FitOptions& options, uint64_t reference_stream, int threads, Weighted& w);

// `n` rows of the weighted mixture, row-major codes; the units draw on up to `threads`
// threads (0 = all cores), which changes nothing but the speed.
std::vector<data::Code> mixture_codes(const std::vector<train::GanblrUnit>& units,
                                      const std::vector<double>& weights, size_t num_cols, size_t n,
                                      uint64_t seed, int threads = 1);

// mixture_codes, the same rows, made as one task a unit (core/shared_tasks.hpp): in a
// distributed fit each process draws its share of the units' rows and the rows are
// exchanged. A collective then (every process calls it with the same arguments): not
// for rows drawn inside a shared task.
std::vector<data::Code> shared_mixture_codes(const std::vector<train::GanblrUnit>& units,
                                             const std::vector<double>& weights, size_t num_cols,
                                             size_t n, uint64_t seed, int threads = 1);

// Options with smoothing strength m for every hierarchical unit left at 0 (to be chosen).
FitOptions with_smoothing(const FitOptions& o, double m);

// Whether any unit of `cols` has its hierarchical smoothing strength left to be chosen.
bool has_chosen_smoothing(const FitOptions& o, const std::vector<size_t>& cols,
                          const std::vector<std::string>& names);

}  // namespace meg::ensemble
