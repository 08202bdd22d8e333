#include "ensemble/unit_fitting.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <new>
#include <span>

#include "bn/candidates.hpp"
#include "bn/kdb_structure.hpp"
#include "core/count_reducer.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "core/shared_tasks.hpp"
#include "ensemble/weights.hpp"
#include "meg/error.hpp"

namespace meg::ensemble {
namespace {

// Reference similarity loss (§6.3): 0.1 * ||X - S||_2 over codes, pairing real
// row r with synthetic row r, the unit's own class column left out.
double reference_similarity(const train::GanblrUnit& unit, const data::DatasetView& val,
                            uint64_t seed) {
  const size_t n = val.num_rows(), d = val.num_cols();
  std::vector<data::Code> syn(n * d);
  unit.sample(n, seed, syn.data(), 1);
  double ss = 0;
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < d; ++c) {
      if (c == unit.class_column()) continue;
      double diff = static_cast<double>(val.code(c, r)) - static_cast<double>(syn[r * d + c]);
      ss += diff * diff;
    }
  }
  return 0.1 * std::sqrt(ss);
}

// In a distributed fit (core/count_reducer.hpp) each process scores the held-out rows
// with its share [first, last) of the units (a unit's scores need its whole parameter
// table, a cost that does not shrink with the rows), and the scores are allgathered:
// every process ends with the values one process computes (8 bytes a row and unit, at
// most kScoreRows rows).
void share_scores(core::CountReducer& reducer, size_t first, size_t last,
                  std::vector<std::vector<double>>& loglik) {
  std::vector<double> mine;
  for (size_t u = first; u < last; ++u) mine.insert(mine.end(), loglik[u].begin(), loglik[u].end());
  const std::vector<double> every = core::allgather_doubles(reducer, mine, "held-out scores");
  size_t at = 0;
  for (auto& scores : loglik) {
    if (every.size() - at < scores.size()) {
      throw Error("distributed fit: held-out scores are missing");
    }
    std::copy_n(every.begin() + static_cast<std::ptrdiff_t>(at), scores.size(), scores.begin());
    at += scores.size();
  }
  if (at != every.size()) throw Error("distributed fit: a process's held-out scores are garbled");
}

// The units [first, last) this process scores in a distributed fit: contiguous shares of
// about equal cost (a unit's cost: its cells, for its log-probability table, plus the
// held-out rows times its columns, for their lookups), a unit going to the process whose
// share of the total cost holds the middle of its own. Every process computes the same
// costs from the same units, so the shares are disjoint, cover the units and follow the
// process order (share_scores reads them so).
std::pair<size_t, size_t> score_share(const core::CountReducer& reducer,
                                      const std::vector<train::GanblrUnit>& units, size_t rows) {
  std::vector<uint64_t> cost(units.size());
  uint64_t total = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    cost[u] = 2 * (units[u].model().parameter_bytes() / sizeof(double) +
                   uint64_t{rows} * units[u].num_columns() + 1);
    total += cost[u];
  }
  const auto [begin, end] = reducer.share(total);
  size_t first = units.size(), last = units.size();
  uint64_t before = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    const uint64_t middle = before + cost[u] / 2;
    if (middle >= begin && first == units.size()) first = u;
    if (middle >= end) {
      last = u;
      break;
    }
    before += cost[u];
  }
  return {std::min(first, last), last};
}

// A structure as bytes and back (exact: integers, and the doubles' own bytes).
void put_structure(core::ByteWriter& out, const bn::KdbStructure& s) {
  out.put(uint64_t{s.class_col});
  out.put(uint64_t{s.num_cols});
  out.put_list(s.order);
  out.put(uint64_t{s.parents.size()});
  for (const auto& p : s.parents) out.put_list(p);
  out.put_list(s.mi);
  out.put(uint64_t{s.groups.size()});
  for (const auto& g : s.groups) out.put_list(g);
}

bn::KdbStructure get_structure(core::ByteReader& in) {
  bn::KdbStructure s;
  s.class_col = in.get<uint64_t>();
  s.num_cols = in.get<uint64_t>();
  s.order = in.get_list<uint32_t>();
  s.parents.resize(in.get<uint64_t>());
  for (auto& p : s.parents) p = in.get_list<uint32_t>();
  s.mi = in.get_list<double>();
  s.groups.resize(in.get<uint64_t>());
  for (auto& g : s.groups) g = in.get_list<uint32_t>();
  return s;
}

// The rows every unit's structure search reads (bn::row_subset of `ds`), picked once for
// all the units. In a distributed fit each process hashes its share of the positions and
// the picked rows are allgathered: the lists in process order are the one process's list.
class SearchRows {
 public:
  SearchRows(const data::DatasetView& ds, core::CountReducer* reducer) : view_(ds) {
    const size_t n = ds.num_rows();
    if (reducer == nullptr || n <= bn::kSearchRows) {
      copy_ = bn::row_subset(ds, bn::kSearchRows);
    } else {
      const auto [begin, end] = reducer->share(n);
      const std::vector<data::RowIndex> mine = bn::subset_rows(ds, bn::kSearchRows, begin, end);
      std::vector<data::RowIndex> rows;
      for (const auto& part : reducer->allgather(std::span<const uint8_t>(
               reinterpret_cast<const uint8_t*>(mine.data()), mine.size() * sizeof(mine[0])))) {
        if (part.size() % sizeof(data::RowIndex) != 0)
          throw Error("distributed fit: a process's search rows are garbled");
        const size_t at = rows.size();
        rows.resize(at + part.size() / sizeof(data::RowIndex));
        if (!part.empty()) std::memcpy(rows.data() + at, part.data(), part.size());
      }
      copy_ =
          std::make_unique<data::EncodedDataset>(data::DatasetView(ds.data(), rows).materialize());
    }
    if (copy_) view_ = data::DatasetView(*copy_);
  }
  const data::DatasetView* view() const { return &view_; }

 private:
  std::unique_ptr<data::EncodedDataset> copy_;
  data::DatasetView view_;
};

// In a distributed fit (core/count_reducer.hpp), the units' structures: each process
// searches its share of the units and the structures are allgathered (a search reads a
// bounded subset of the rows, the same on every process, so its result does not depend
// on which process runs it). Empty when no reducer is installed, or when a search
// failed on some process: every process then searches every unit, as one process does,
// and raises the same error at the same point.
std::vector<bn::KdbStructure> shared_structures(const data::DatasetView& ds,
                                                const std::vector<size_t>& cols,
                                                const FitOptions& o, int threads,
                                                const bn::SearchHints* hints) {
  core::CountReducer* reducer = core::count_reducer();
  if (reducer == nullptr || cols.size() < 2) return {};
  const SearchRows rows(ds, reducer);
  const auto [begin, end] = reducer->share(cols.size());
  core::ByteWriter mine;
  mine.put(uint8_t{0});  // 1: a search failed here
  bool failed = false;
  try {
    for (size_t u = begin; u < end; ++u) {
      const UnitOptions& uo = o.for_unit(ds.names()[cols[u]]);
      validate_unit_options(uo);
      put_structure(mine, bn::KdbStructure::learn(ds, cols[u], uo.k, uo.max_parent_configs, threads,
                                                  uo.structure, hints, rows.view()));
    }
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
    failed = true;
  }
  std::vector<uint8_t> message = mine.take();
  if (failed) message.assign(1, 1);
  std::vector<bn::KdbStructure> out;
  for (const auto& part : reducer->allgather(message)) {
    if (part.empty() || part[0] != 0) return {};
    core::ByteReader in(std::span<const uint8_t>(part).subspan(1), "structures");
    while (!in.done()) out.push_back(get_structure(in));
  }
  if (out.size() != cols.size()) throw Error("distributed fit: structures are missing");
  return out;
}

// How the units share the threads: `outer` units at once, each on `inner` threads. In a
// distributed fit every unit's counts are summed across processes (core/count_reducer.hpp):
// collectives, made in the same order everywhere, so the units go one after another
// (`serial`), each on every thread (same results).
struct ThreadSplit {
  bool serial;
  int outer;
  int inner;
};

ThreadSplit split_threads(const FitOptions& o, size_t units) {
  const int threads = core::resolve_threads(o.threads);
  if (core::count_reducer() != nullptr) return {true, 1, threads};
  return {false, threads, std::max(1, threads / static_cast<int>(std::max<size_t>(1, units)))};
}

}  // namespace

std::vector<train::GanblrUnit> fit_units(
    const data::DatasetView& ds, const std::vector<size_t>& cols, const FitOptions& o,
    uint64_t stream, const std::string& stage, ProgressRelay& relay, const data::DatasetView* val,
    std::vector<std::vector<double>>* loglik, const bn::SearchHints* hints,
    std::vector<bn::KdbStructure>* structures, train::CodeCheck check) {
  // One scan of the codes for all the units (each unit would otherwise scan the table).
  if (check == train::CodeCheck::Scan && !cols.empty()) train::check_codes(ds);
  std::vector<train::GanblrUnit> units(cols.size());
  core::CountReducer* reducer = core::count_reducer();
  // Named copies (lambdas below use them; clang before 16 cannot capture structured bindings).
  const ThreadSplit split = split_threads(o, cols.size());
  const bool serial = split.serial;
  const int outer = split.outer, inner = split.inner;
  relay.reset();
  const bool reuse = structures && structures->size() == cols.size();
  if (structures && !reuse) structures->assign(cols.size(), {});
  const std::vector<bn::KdbStructure> shared = serial && !reuse
                                                   ? shared_structures(ds, cols, o, inner, hints)
                                                   : std::vector<bn::KdbStructure>();
  // In a distributed fit the units are scored after every unit is fitted (score_share):
  // the fits meet the other processes at each unit's count sums, and a unit scored in
  // between would keep them waiting there.
  const bool score_after = reducer != nullptr;
  core::parallel_for(cols.size(), outer, [&](size_t u) {
    const std::string& name = ds.names()[cols[u]];
    auto on_epoch = [&](const std::string& phase, int epoch, int total) {
      Progress p;
      p.stage = stage;
      p.unit = name;
      p.phase = phase;
      p.epoch = epoch;
      p.epochs = total;
      relay.report(p);
    };
    const UnitOptions& uo = o.for_unit(name);
    const uint64_t seed = core::derive_seed(o.seed, {stream, cols[u]});
    if (reuse) {
      units[u] = train::GanblrUnit::fit_structure(ds, (*structures)[u], uo, seed, inner, on_epoch,
                                                  train::CodeCheck::Checked);
    } else if (!shared.empty()) {
      units[u] = train::GanblrUnit::fit_structure(ds, shared[u], uo, seed, inner, on_epoch,
                                                  train::CodeCheck::Checked);
      if (structures) (*structures)[u] = units[u].model().structure();
    } else {
      units[u] = train::GanblrUnit::fit(ds, cols[u], uo, seed, inner, on_epoch, hints,
                                        train::CodeCheck::Checked);
      if (structures) (*structures)[u] = units[u].model().structure();
    }
    if (val) {
      (*loglik)[u].resize(val->num_rows());
      if (!score_after) units[u].log_prob(*val, (*loglik)[u].data(), inner);
    }
    units[u].release_tables();
    relay.unit_done(stage, name);
  });
  if (reducer && val) {
    const std::pair<size_t, size_t> scored = score_share(*reducer, units, val->num_rows());
    for (size_t u = scored.first; u < scored.second; ++u) {
      units[u].log_prob(*val, (*loglik)[u].data(), inner);
      units[u].release_tables();
    }
    share_scores(*reducer, scored.first, scored.second, *loglik);
  }
  return units;
}

std::vector<bn::KdbStructure> search_structures(const data::DatasetView& ds,
                                                const std::vector<size_t>& cols,
                                                const FitOptions& o, ProgressRelay& relay,
                                                const bn::SearchHints* hints) {
  // Named copies (lambdas below use them; clang before 16 cannot capture structured bindings).
  const ThreadSplit split = split_threads(o, cols.size());
  const bool serial = split.serial;
  const int outer = split.outer, inner = split.inner;
  relay.reset();
  std::vector<bn::KdbStructure> out =
      serial ? shared_structures(ds, cols, o, inner, hints) : std::vector<bn::KdbStructure>();
  if (out.size() == cols.size()) return out;
  // Not shared (or a search failed on some process): every unit searched here, as
  // fit_units would, raising the same error.
  out.assign(cols.size(), {});
  const SearchRows rows(ds, serial ? core::count_reducer() : nullptr);
  core::parallel_for(cols.size(), outer, [&](size_t u) {
    const std::string& name = ds.names()[cols[u]];
    const UnitOptions& uo = o.for_unit(name);
    validate_unit_options(uo);
    out[u] = bn::KdbStructure::learn(ds, cols[u], uo.k, uo.max_parent_configs, inner, uo.structure,
                                     hints, rows.view());
    relay.unit_done("search", name);
  });
  return out;
}

namespace {

// A hierarchical unit whose strength is left to the fit.
bool strength_to_choose(const UnitOptions& u) {
  return u.smoothing == Smoothing::Hierarchical && u.smoothing_m == 0.0;
}

}  // namespace

FitOptions with_smoothing(const FitOptions& o, double m) {
  FitOptions out = o;
  auto set = [m](UnitOptions& u) {
    if (strength_to_choose(u)) u.smoothing_m = m;
  };
  set(out.unit);
  for (auto& [name, u] : out.unit_overrides) set(u);
  return out;
}

bool has_chosen_smoothing(const FitOptions& o, const std::vector<size_t>& cols,
                          const std::vector<std::string>& names) {
  return std::any_of(cols.begin(), cols.end(),
                     [&](size_t c) { return strength_to_choose(o.for_unit(names[c])); });
}

bool restrength_units(std::vector<train::GanblrUnit>& units, const data::DatasetView& ds,
                      const std::vector<size_t>& cols, const FitOptions& o,
                      const std::string& stage, ProgressRelay& relay, const data::DatasetView& val,
                      std::vector<std::vector<double>>& loglik) {
  if (units.size() != cols.size()) return false;
  for (size_t u = 0; u < cols.size(); ++u) {
    const UnitOptions& uo = o.for_unit(ds.names()[cols[u]]);
    if (uo.smoothing == Smoothing::Hierarchical &&
        (uo.warmup_epochs + uo.epochs > 0 || !(uo.smoothing_m > 0))) {
      return false;
    }
  }
  const int threads = core::resolve_threads(o.threads);
  const int inner = std::max(1, threads / static_cast<int>(cols.size()));
  // The units this process scores: all of them but in a distributed fit (as fit_units).
  core::CountReducer* reducer = core::count_reducer();
  const std::pair<size_t, size_t> scored = reducer ? score_share(*reducer, units, val.num_rows())
                                                   : std::pair<size_t, size_t>(0, cols.size());
  relay.reset();
  core::parallel_for(cols.size(), threads, [&](size_t u) {
    const std::string& name = ds.names()[cols[u]];
    const UnitOptions& uo = o.for_unit(name);
    // A unit whose options the strength does not touch is the one fit_units would fit.
    if (uo.smoothing == Smoothing::Hierarchical) units[u].set_strength(uo.smoothing_m);
    loglik[u].resize(val.num_rows());
    if (u >= scored.first && u < scored.second) units[u].log_prob(val, loglik[u].data(), inner);
    units[u].release_tables();
    relay.unit_done(stage, name);
  });
  if (reducer) share_scores(*reducer, scored.first, scored.second, loglik);
  return true;
}

void weigh_units(const std::vector<train::GanblrUnit>& units, const data::DatasetView& val,
                 const FitOptions& options, uint64_t reference_stream, int threads, Weighted& w) {
  const size_t k = units.size();
  switch (options.weighting) {
    case Weighting::Em:
      w.weights = em_weights(w.loglik);
      break;
    case Weighting::SoftmaxLoglik:
      w.weights = softmax_loglik_weights(w.loglik, options.softmax_temperature);
      break;
    case Weighting::Uniform:
      w.weights.assign(k, 1.0 / static_cast<double>(k));
      break;
    case Weighting::Reference: {
      w.reference_losses.resize(k);
      core::parallel_for(k, threads, [&](size_t u) {
        w.reference_losses[u] = reference_similarity(
            units[u], val, core::derive_seed(options.seed, {reference_stream, u}));
      });
      w.weights = reference_weights(w.reference_losses);
      break;
    }
  }
}

std::vector<data::Code> mixture_codes(const std::vector<train::GanblrUnit>& units,
                                      const std::vector<double>& weights, size_t num_cols, size_t n,
                                      uint64_t seed, int threads) {
  std::vector<data::Code> out(n * num_cols);
  const std::vector<uint64_t> counts = largest_remainder(weights, n);
  // Each unit draws its rows from its own seed into its own slice: the same rows at any
  // thread count. The draws build the tables of the blocks they reach only (sample_sparse:
  // the rows of sample, without a table for every cell of every unit).
  std::vector<size_t> offset(units.size() + 1, 0);
  for (size_t u = 0; u < units.size(); ++u) offset[u + 1] = offset[u] + counts[u];
  core::parallel_for(units.size(), threads, [&](size_t u) {
    if (counts[u] == 0) return;
    units[u].sample_sparse(counts[u], core::derive_seed(seed, {u}), &out[offset[u] * num_cols]);
  });
  return out;
}

std::vector<data::Code> shared_mixture_codes(const std::vector<train::GanblrUnit>& units,
                                             const std::vector<double>& weights, size_t num_cols,
                                             size_t n, uint64_t seed, int threads) {
  core::CountReducer* reducer = core::count_reducer();
  if (reducer == nullptr) return mixture_codes(units, weights, num_cols, n, seed, threads);
  std::vector<data::Code> out(n * num_cols);
  const std::vector<uint64_t> counts = largest_remainder(weights, n);
  std::vector<core::SharedTask> tasks;
  size_t at = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    // A unit's rows, from its own seed into its own slice (as mixture_codes draws them).
    const std::span<data::Code> rows(out.data() + at * num_cols, counts[u] * num_cols);
    at += counts[u];
    tasks.push_back({[&units, rows, &counts, u, seed] {
                       if (counts[u] != 0)
                         units[u].sample_sparse(counts[u], core::derive_seed(seed, {u}),
                                                rows.data());
                     },
                     [rows] {
                       core::ByteWriter w;
                       w.put_list(std::span<const data::Code>(rows));
                       return w.take();
                     },
                     [rows](std::span<const uint8_t> bytes) {
                       core::ByteReader in(bytes, "mixture rows");
                       const std::vector<data::Code> got = in.get_list<data::Code>();
                       in.finish();
                       if (got.size() != rows.size())
                         throw Error("distributed fit: a process's mixture rows are garbled");
                       std::copy(got.begin(), got.end(), rows.begin());
                     }});
  }
  core::run_shared(tasks, reducer);
  return out;
}

}  // namespace meg::ensemble
