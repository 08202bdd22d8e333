#include "ensemble/meg_model.hpp"

#include "data/row_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "core/count_reducer.hpp"
#include "core/file_io.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "ensemble/chunked_sampler.hpp"
#include "ensemble/model_io.hpp"
#include "ensemble/resource_guard.hpp"
#include "ensemble/smoothing_select.hpp"
#include "ensemble/unit_choice.hpp"
#include "ensemble/unit_fitting.hpp"
#include "ensemble/weights.hpp"
#include "meg/error.hpp"
#include "meg/log.hpp"
#include "meg/version.hpp"

namespace meg::ensemble {
namespace {

// Stream ids for derive_seed.
enum : uint64_t {
  kSplitStream = 1,
  kUnitStream = 2,
  kRefitStream = 3,
  kSampleStream = 4,
  kShuffleStream = 5,
  kDecodeStream = 6,
  kCodecStream = 7,
  kReferenceStream = 8,
  kSelectStream = 9,
  kScoreStream = 10,
  kResampleStream = 11
};

// Held-out rows compared with synthetic ones when choosing the smoothing strength.
constexpr size_t kSelectQueries = 1000;
constexpr size_t kSelectMinHoldout = 50;
// Held-out rows scored to weigh the units (docs/performance.md): the weights, fifteen-odd
// numbers, are then estimated to a few parts in a thousand, at the same cost for any
// table length.
constexpr size_t kScoreRows = size_t{1} << 15;

// `rows` when there are at most `limit`, else those whose seeded hash falls below
// limit / rows.size() (about `limit` of them, in their order).
std::vector<data::RowIndex> seeded_subset(const std::vector<data::RowIndex>& rows, size_t limit,
                                          uint64_t seed) {
  if (rows.size() <= limit) return rows;
  const double fraction = static_cast<double>(limit) / static_cast<double>(rows.size());
  const auto threshold = static_cast<uint64_t>(fraction * 18446744073709551615.0);
  std::vector<data::RowIndex> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (core::mix64(seed + i) < threshold) out.push_back(rows[i]);
  }
  return out;
}

// Fisher–Yates: for i = n down to 2, swaps v[i - 1] with v[below(i)] of one seeded stream.
// The draws are made kAhead swaps early and the slots they name prefetched: the same draws
// and swaps, but a table of millions of rows no longer waits for each slot from memory in
// turn (10M rows: ~1.2 s -> ~0.2 s).
void shuffle(std::vector<data::RowIndex>& v, uint64_t seed) {
  constexpr size_t kAhead = 32;
  core::Rng rng(seed);
  std::array<uint64_t, kAhead> drawn{};  // the draw for i, at i % kAhead
  size_t next = v.size();                // the next i to draw for
  auto draw = [&] {
    const uint64_t j = rng.below(next);
    drawn[next % kAhead] = j;
    __builtin_prefetch(&v[j], 1);
    --next;
  };
  for (size_t k = 0; k < kAhead && next > 1; ++k) draw();
  for (size_t i = v.size(); i > 1; --i) {
    const uint64_t j = drawn[i % kAhead];
    if (next > 1) draw();  // i - kAhead's draw, into the slot just read
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace

MegModel MegModel::fit(const data::CsvTable& table, const data::Schema& schema,
                       const FitOptions& options, const ProgressFn& progress) {
  MegModel m = start_fit(table, schema, options);
  m.fit_codes(m.codec_.encode(table), schema, progress);
  return m;
}

MegModel MegModel::fit(data::CsvTable&& table, const data::Schema& schema,
                       const FitOptions& options, const ProgressFn& progress) {
  MegModel m = start_fit(table, schema, options);
  data::EncodedDataset all = m.codec_.encode(table);
  table = {};
  m.fit_codes(std::move(all), schema, progress);
  return m;
}

uint64_t MegModel::codec_seed(const FitOptions& options) {
  return core::derive_seed(options.seed, {kCodecStream});
}

data::BuildOptions MegModel::build_options(const FitOptions& options, const nlohmann::json* schema,
                                           const std::string& schema_source,
                                           const ProgressFn& progress) {
  data::BuildOptions b;
  b.seed = codec_seed(options);
  b.threads = options.threads;
  b.progress = progress;
  b.on_header = [&options](const std::string& source, const std::vector<std::string>& header) {
    check_columns(header, source, options);
  };
  b.row_model = true;
  b.rows.joint = options.joint_decode;
  b.rows.learn_rules = options.learn_rules;
  b.rows.learn_sums = options.learn_sums;
  if (schema != nullptr) {
    b.overrides = [schema, schema_source](const data::Schema& s) {
      return data::apply_schema_overrides(s, *schema, schema_source);
    };
    b.declare = [schema, schema_source](const data::Schema& s, data::RowModelOptions& r) {
      data::parse_constraints(*schema, s, schema_source, r);
    };
  }
  return b;
}

void MegModel::check_columns(const std::vector<std::string>& names, const std::string& source,
                             const FitOptions& options) {
  validate_options(options);
  for (const auto& [name, unit] : options.unit_overrides) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw InvalidArgument(fmt::format("per-unit option for '{}': no such column", name));
    }
  }
  if (names.size() < 2) {
    throw DataError(
        fmt::format("{}: the table has {} column{}; meg models each column given the "
                    "others and needs at least two",
                    source, names.size(), names.size() == 1 ? "" : "s"));
  }
  listed_unit_columns(options, names);
}

MegModel MegModel::start_fit(const data::CsvTable& table, const data::Schema& schema,
                             const FitOptions& options) {
  std::vector<std::string> names;
  for (const auto& c : schema.columns) names.push_back(c.name);
  check_columns(names, table.source, options);
  MegModel m;
  m.options_ = options;
  m.codec_ = data::TableCodec::fit(table, schema, codec_seed(options));
  data::RowModelOptions rows;
  rows.joint = options.joint_decode;
  rows.learn_rules = options.learn_rules;
  rows.learn_sums = options.learn_sums;
  m.codec_.set_row_model(data::fit_row_model(m.codec_, table, rows, codec_seed(options)));
  return m;
}

MegModel MegModel::fit_encoded(data::TableCodec codec, data::EncodedDataset all,
                               const std::string& source, const FitOptions& options,
                               const ProgressFn& progress) {
  check_columns(codec.column_names(), source, options);
  MegModel m;
  m.options_ = options;
  m.codec_ = std::move(codec);
  const data::Schema schema = m.codec_.schema();
  m.fit_codes(std::move(all), schema, progress);
  return m;
}

void MegModel::fit_codes(data::EncodedDataset all, const data::Schema& schema,
                         const ProgressFn& progress) {
  const FitOptions& options = options_;
  const size_t n = all.num_rows();
  training_rows_ = n;
  (void)schema;
  // Before the pairwise pass of plan_units and the structure search: what they and the
  // rows use, and the least any structure holds (every feature without parents), so a
  // table whose model is too large whatever the search chooses is refused at once.
  const size_t rule_columns = row_model_columns(codec_);
  const ModelSizeEstimate before_search =
      check_model_size(all.cardinality, all.names, guard_units(data::DatasetView(all), options), n,
                       options, &all, rule_columns, ParentSets{ParentSets::Kind::None, {}});
  const UnitPlan plan = plan_units(data::DatasetView(all), options);
  const std::vector<size_t>& cols = plan.columns;
  const int threads = core::resolve_threads(options.threads);

  // The codes of the whole table, checked once: the fit part is a copy of some of its rows,
  // so every fit below skips the scan (d scans a fit of the units, before).
  if (!cols.empty()) train::check_codes(data::DatasetView(all));
  if (n > std::numeric_limits<data::RowIndex>::max()) {
    throw InvalidArgument(fmt::format("the table has {} rows; meg fits at most {}", n,
                                      std::numeric_limits<data::RowIndex>::max()));
  }
  // Seeded split into row lists (views of `all`, no copy of the codes). Tiny tables
  // (< 20 rows) use every row for both parts.
  std::vector<data::RowIndex> perm(n);
  std::iota(perm.begin(), perm.end(), data::RowIndex{0});
  shuffle(perm, core::derive_seed(options.seed, {kSplitStream}));
  size_t n_val =
      n < 20 ? n
             : std::max<size_t>(1, static_cast<size_t>(std::llround(options.validation_fraction *
                                                                    static_cast<double>(n))));
  // Each part in row order: a flag a row, then one pass (the sorted lists, in O(n)).
  std::vector<data::RowIndex> val_rows, fit_rows;
  if (n < 20) {
    val_rows = std::move(perm);
    std::sort(val_rows.begin(), val_rows.end());
    fit_rows = val_rows;
  } else {
    std::vector<uint8_t> held(n, 0);
    for (size_t i = 0; i < n_val; ++i) held[perm[i]] = 1;
    perm = {};
    val_rows.reserve(n_val);
    fit_rows.reserve(n - n_val);
    for (size_t r = 0; r < n; ++r)
      (held[r] ? val_rows : fit_rows).push_back(static_cast<data::RowIndex>(r));
  }
  // The fit part as a dataset of its own (n d bytes for narrow codes): each of the
  // fit's passes over it then reads the codes in place, where a view of listed rows
  // would gather them row by row. In a distributed fit (core/count_reducer.hpp) the only
  // pass over every row is the counting, and a process counts its share of them: it
  // copies only those, the fit part staying a view of listed rows for the bounded
  // subsets the other phases read.
  data::EncodedDataset fit_data;
  data::DatasetView fit_part(fit_data);
  if (const core::CountReducer* reducer = core::count_reducer(); reducer && n >= 20) {
    const data::DatasetView listed(all, fit_rows);
    const auto [begin, end] = reducer->share(fit_rows.size());
    fit_data = listed.slice(begin, end).materialize();
    fit_part = listed.with_copy(begin, fit_data);
  } else {
    fit_data = data::DatasetView(all, fit_rows).materialize();
    fit_rows = {};
    fit_part = data::DatasetView(fit_data);
  }
  const data::DatasetView val_part(all, val_rows);
  // Held-out scoring (each unit's log-likelihood of the rows, the EM weights) reads at
  // most kScoreRows of them: above it, a seeded subset of about that many.
  const std::vector<data::RowIndex> score_rows =
      seeded_subset(val_rows, kScoreRows, core::derive_seed(options.seed, {kScoreStream}));
  const data::DatasetView score_part(all, score_rows);

  // Units fitted on the fit part, with the held-out log-likelihood of every unit.
  ProgressRelay relay(progress, cols.size());
  // The units' structures on the fit part, learned first and reused by every fit of the
  // units on it (they differ only in the smoothing strength, which the search does not
  // read); the refit's on all rows when it searches again (at most bn::kSearchRows fit
  // rows; above, the search reads a subset of about that many rows of the fit part as it
  // would of all rows, so the refit keeps the fit part's, as precise). The guard then
  // bounds the units with the parents the searches chose, before any is counted.
  std::vector<bn::KdbStructure> fit_structures =
      search_structures(fit_part, cols, options, relay, &plan.hints);
  const bool refit = options.refit_full && n >= 20;
  const bool keep_structures = fit_part.num_rows() > bn::kSearchRows;
  std::vector<bn::KdbStructure> refit_structures =
      refit && !keep_structures
          ? search_structures(data::DatasetView(all), cols, options, relay, &plan.hints)
          : std::vector<bn::KdbStructure>();
  {
    ParentSets searched{ParentSets::Kind::Searched, {&fit_structures}};
    if (!refit_structures.empty()) searched.sets.push_back(&refit_structures);
    const ModelSizeEstimate est = check_model_size(all.cardinality, all.names, cols, n, options,
                                                   &all, rule_columns, searched);
    if (progress) {  // the fit's estimate: the larger of the two checks'
      Progress p;
      p.stage = "guard";
      p.bytes = static_cast<uint64_t>(std::max(before_search.total_bytes, est.total_bytes));
      p.bytes_total = static_cast<uint64_t>(options.max_model_mb) << 20;
      progress(p);
    }
  }
  FitOptions fitted = options;  // with the chosen smoothing strength, if one is chosen here
  Weighted w;
  bool have_units = false;
  // Fits the units with `o` on the fit rows, scores and weighs them. `restrength`: units_
  // hold the units of another strength on the same rows, which only need the new one.
  auto fit_and_weigh = [&](const FitOptions& o, const char* stage, bool restrength) {
    w.loglik.assign(cols.size(), {});
    if (!restrength ||
        !restrength_units(units_, fit_part, cols, o, stage, relay, score_part, w.loglik)) {
      units_.clear();  // one set of units in memory at a time
      units_ = fit_units(fit_part, cols, o, kUnitStream, stage, relay, &score_part, &w.loglik,
                         &plan.hints, &fit_structures, train::CodeCheck::Checked);
    }
    weigh_units(units_, score_part, o, kReferenceStream, threads, w);
  };
  if (options.smoothing_select == SmoothingSelect::Distance && n >= 20 &&
      val_part.num_rows() >= kSelectMinHoldout && has_chosen_smoothing(options, cols, all.names)) {
    const DistanceProbe probe(fit_part, val_part, kSelectQueries, threads,
                              DistanceProbe::kMaxReference,
                              core::derive_seed(options.seed, {kSelectStream, 1}));
    const std::vector<double>& grid = distance_grid();
    nlohmann::json tried = nlohmann::json::array();
    size_t last = grid.size();
    std::map<size_t, Weighted> passed;  // scores and weights of the strengths that passed
    const size_t chosen = search_strength(
        probe.holdout_mean(),
        [&](size_t i) {
          // The candidates differ in the strength only: the first one counts, the others
          // reuse its counts (restrength_units).
          fit_and_weigh(with_smoothing(options, grid[i]), "select", last < grid.size());
          const std::vector<data::Code> rows =
              shared_mixture_codes(units_, w.weights, all.num_cols(), probe.queries(),
                                   core::derive_seed(options.seed, {kSelectStream}), threads);
          for (auto& unit : units_) unit.release_tables();
          const double distance = probe.mean_distance(rows.data(), probe.queries());
          if (distance >= probe.holdout_mean()) passed[i] = w;
          last = i;
          return distance;
        },
        tried);
    if (chosen < grid.size()) {
      fitted = with_smoothing(options, grid[chosen]);
      have_units = true;
      if (last != chosen) {  // units_ belong to a later, failing strength
        w = std::move(passed[chosen]);
        units_.clear();
        // Kept only without a refit; the same seeds give the units evaluated before.
        if (!options.refit_full) {
          units_ = fit_units(fit_part, cols, fitted, kUnitStream, "fit", relay, nullptr, nullptr,
                             &plan.hints, &fit_structures, train::CodeCheck::Checked);
        }
      }
    }
    summary_["smoothing_selection"] = {
        {"rule",
         "sharpest m whose synthetic rows are no closer to the training rows than held-out rows"},
        {"holdout_distance", probe.holdout_mean()},
        {"queries", probe.queries()},
        {"tried", tried},
        {"chosen_m", have_units ? nlohmann::json(grid[chosen])
                                : nlohmann::json("none passed: per-feature held-out likelihood")}};
  }
  if (!have_units) fit_and_weigh(options, "fit", false);
  weights_ = w.weights;
  const auto& loglik = w.loglik;
  if (options.weighting == Weighting::Reference) summary_["reference_losses"] = w.reference_losses;
  nlohmann::json per_unit = nlohmann::json::array();
  const std::vector<double> uniform(cols.size(), 1.0 / static_cast<double>(cols.size()));
  for (size_t u = 0; u < cols.size(); ++u) {
    double mean = std::accumulate(loglik[u].begin(), loglik[u].end(), 0.0) /
                  static_cast<double>(std::max<size_t>(1, loglik[u].size()));
    per_unit.push_back({{"unit", all.names[cols[u]]}, {"validation_loglik", mean}});
  }
  summary_["validation_rows"] = val_part.num_rows();
  summary_["fit_rows"] = fit_part.num_rows();
  summary_["units"] = per_unit;
  summary_["validation_loglik_mixture"] = mixture_loglik(loglik, weights_);
  summary_["validation_loglik_uniform"] = mixture_loglik(loglik, uniform);

  if (refit) {
    units_.clear();  // free the first fit before the refit
    units_ =
        fit_units(all, cols, fitted, kRefitStream, "refit", relay, nullptr, nullptr, &plan.hints,
                  keep_structures ? &fit_structures : &refit_structures, train::CodeCheck::Checked);
  }
  // The discriminator learns from the fit part; the held-out part decides (docs/design.md §7a).
  if (options.resample != Resample::Off && n >= 20) {
    ResampleFit r = fit_resampler(units_, weights_, fit_part, val_part, options,
                                  core::derive_seed(options.seed, {kResampleStream}));
    resampler_ = std::move(r.resampler);
    summary_["resample"] = std::move(r.summary);
  }
}

std::vector<uint64_t> MegModel::unit_counts(uint64_t n) const {
  return largest_remainder(weights_, n);
}

void MegModel::sample_text(uint64_t n, uint64_t seed, int threads,
                           const std::function<void(const std::string&)>& sink,
                           const RowsWritten& written, ChunkRange range) const {
  std::string header;
  codec_.write_header(header);
  sink(header);
  sample_chunked(
      weights_, codec_.num_cols(), n, seed, threads, {kSampleStream, kShuffleStream, kDecodeStream},
      [&](size_t u, uint64_t rows, uint64_t unit_seed, data::Code* out) {
        units_[u].sample(rows, unit_seed, out, 1);
      },
      [&](const data::Code* codes, size_t rows, uint64_t first_row, core::Rng& rng,
          std::string& out) { codec_.decode_rows(codes, rows, rng, out, first_row); },
      sink, written, range, resample_select());
}

ChunkSelect MegModel::resample_select() const {
  if (!resampler_) return {};
  const Resampler* r = &*resampler_;
  const size_t d = codec_.num_cols();
  return {r->candidates(), [r, d](const data::Code* rows, size_t n, size_t keep, uint64_t seed,
                                  std::vector<uint32_t>& picked, int threads) {
            r->select(rows, n, d, keep, seed, picked, threads);
          }};
}

std::string MegModel::sample_csv(uint64_t n, uint64_t seed, int threads) const {
  return collect_text([&](const TextSink& sink) { sample_text(n, seed, threads, sink); });
}

void MegModel::sample_to_file(uint64_t n, uint64_t seed, int threads, const std::string& path,
                              const RowsWritten& written, ChunkRange range) const {
  write_text_file(
      path, [&](const TextSink& sink) { sample_text(n, seed, threads, sink, written, range); });
}

std::vector<double> MegModel::log_prob(const data::DatasetView& ds, int threads) const {
  const size_t n = ds.num_rows();
  std::vector<std::vector<double>> ll(units_.size(), std::vector<double>(n));
  core::parallel_for(units_.size(), threads,
                     [&](size_t u) { units_[u].log_prob(ds, ll[u].data(), 1); });
  std::vector<double> out(n);
  std::vector<double> term(units_.size());
  for (size_t i = 0; i < n; ++i) {
    double mx = -INFINITY;
    for (size_t u = 0; u < units_.size(); ++u) {
      term[u] = std::log(weights_[u]) + ll[u][i];
      mx = std::max(mx, term[u]);
    }
    double s = 0;
    for (double t : term) s += std::exp(t - mx);
    out[i] = mx + std::log(s);
  }
  return out;
}

nlohmann::json MegModel::to_json() const {
  nlohmann::json units = nlohmann::json::array();
  for (const auto& u : units_) units.push_back(u.to_json());
  nlohmann::json j = {{"magic", "meg-model"},
                      {"meg_version", kVersion},
                      {"options", options_to_json(options_)},
                      {"codec", codec_.to_json()},
                      {"units", std::move(units)},
                      {"weights", weights_},
                      {"training_rows", training_rows_},
                      {"summary", summary_}};
  if (resampler_) j["resampler"] = resampler_->to_json();
  return j;
}

MegModel MegModel::from_json(const nlohmann::json& j) { return from_tree(j, nullptr, {}); }

MegModel MegModel::from_tree(const nlohmann::json& j,
                             const std::vector<std::string_view>* unit_cbor,
                             const std::string& source) {
  MegModel m;
  try {
    if (!j.is_object() || j.value("magic", "") != "meg-model") {
      throw ModelFormatError("model: not a meg model tree");
    }
    m.options_ = options_from_json(j.at("options"));
    m.codec_ = data::TableCodec::from_json(j.at("codec"));
    // Each unit must describe the codec's columns; checked before a unit is built,
    // so a crafted file cannot make a unit allocate for cardinalities it does not have.
    const auto card = m.codec_.cardinalities();
    auto check_unit = [&](const nlohmann::json& ju) {
      if (!ju.is_object() || !ju.contains("model") || !ju["model"].is_object() ||
          ju["model"].value("cardinality", std::vector<uint32_t>{}) != card) {
        throw ModelFormatError("model: a unit does not match the table's columns");
      }
    };
    // Building a unit (smoothing its counts, its alias tables) is most of a load: the
    // units are built in parallel, each into its own slot (the same model at any count).
    // Units left as CBOR (a loaded file) are read in the same tasks, each tree freed once
    // its unit is built; each is checked before it is built.
    if (unit_cbor == nullptr) {
      const auto& units = j.at("units");
      if (!units.is_array()) throw ModelFormatError("model: 'units' is not a list");
      for (const auto& ju : units) check_unit(ju);
      m.units_.resize(units.size());
      core::parallel_for(units.size(), 0,
                         [&](size_t u) { m.units_[u] = train::GanblrUnit::from_json(units[u]); });
    } else {
      m.units_.resize(unit_cbor->size());
      core::parallel_for(unit_cbor->size(), 0, [&](size_t u) {
        const std::string_view bytes = (*unit_cbor)[u];
        nlohmann::json ju;
        try {
          ju = nlohmann::json::from_cbor(bytes.begin(), bytes.end());
        } catch (const nlohmann::json::exception& e) {  // as decode_model_file reports it
          throw ModelFormatError(source + ": corrupt model file (" + e.what() + ")");
        }
        check_unit(ju);
        m.units_[u] = train::GanblrUnit::from_json(ju);
      });
    }
    m.weights_ = j.at("weights").get<std::vector<double>>();
    m.training_rows_ = j.at("training_rows").get<uint64_t>();
    m.summary_ = j.value("summary", nlohmann::json::object());
    if (j.contains("resampler")) {
      m.resampler_ = Resampler::from_json(j["resampler"], m.codec_.cardinalities());
    }
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: ") + e.what());
  }
  const auto card = m.codec_.cardinalities();
  if (m.units_.empty() || m.weights_.size() != m.units_.size()) {
    throw ModelFormatError("model: unit and weight counts differ");
  }
  double sum = 0;
  for (double w : m.weights_) {
    if (!(w >= 0 && w <= 1)) throw ModelFormatError("model: invalid weight");
    sum += w;
  }
  if (std::fabs(sum - 1.0) > 1e-6) throw ModelFormatError("model: weights do not sum to 1");
  for (const auto& u : m.units_) {
    if (u.num_columns() != card.size() || u.model().cardinality() != card) {
      throw ModelFormatError("model: a unit does not match the table's columns");
    }
  }
  return m;
}

void MegModel::save(const std::string& path) const {
  core::AtomicFile file(path);
  write_model_file(to_json(), file);
  file.commit();
}

MegModel MegModel::load(const std::string& path) {
  // Reading stops once the bytes cannot be a model (no signature) or pass the length the
  // header declares, so /dev/zero or an endless pipe is refused at once.
  // The units are read from their CBOR by the tasks that build them (model_io.hpp).
  const std::string source = path == "-" ? "<stdin>" : path;
  const SplitModel file =
      decode_model_file_split(core::read_file(path, model_file_complete), source);
  return from_tree(file.tree, file.split ? &file.units : nullptr, source);
}

}  // namespace meg::ensemble
