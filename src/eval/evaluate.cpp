#include "eval/evaluate.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "eval/fidelity.hpp"
#include "eval/prepared.hpp"
#include "eval/privacy.hpp"
#include "eval/utility.hpp"
#include "meg/error.hpp"
#include "meg/log.hpp"

namespace meg::eval {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

nlohmann::json matrix_json(const std::vector<std::vector<double>>& m) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : m) out.push_back(row);
  return out;
}

nlohmann::json dcr_json(const std::vector<double>& d) {
  return {{"median", quantile_sorted(d, 0.5)},
          {"p05", quantile_sorted(d, 0.05)},
          {"queries", d.size()}};
}

// The parts that judge the synthetic table itself: fidelity (with detection) and privacy.
void add_fidelity_and_privacy(const Preprocessor& pre, const PreparedTable& train,
                              const PreparedTable& test, const PreparedTable& syn,
                              const EvalConfig& config, nlohmann::json& out,
                              nlohmann::json& seconds) {
  // Fidelity: synthetic vs train, with real test vs train as the reference.
  auto t0 = Clock::now();
  nlohmann::json fid, cols = nlohmann::json::array();
  double sum_syn = 0, sum_test = 0;
  for (size_t c = 0; c < pre.num_columns(); ++c) {
    double ds = column_distance(pre, c, train, syn), dt = column_distance(pre, c, train, test);
    sum_syn += ds;
    sum_test += dt;
    cols.push_back({{"name", pre.names()[c]},
                    {"metric", pre.kind(c) == Kind::Categorical ? "tv" : "ks"},
                    {"synthetic", ds},
                    {"test", dt},
                    {"chart", column_chart(pre, c, {&train, &syn, &test}, config.histogram_bins,
                                           config.chart_levels)}});
  }
  const double m = static_cast<double>(pre.num_columns());
  fid["columns"] = cols;
  fid["mean_column_distance"] = {{"synthetic", sum_syn / m}, {"test", sum_test / m}};
  auto dep_train = dependence_matrix(pre, train);
  auto dep_syn = dependence_matrix(pre, syn);
  auto dep_test = dependence_matrix(pre, test);
  fid["pairwise"] = {{"columns", pre.names()},
                     {"train", matrix_json(dep_train)},
                     {"synthetic", matrix_json(dep_syn)},
                     {"test", matrix_json(dep_test)},
                     {"error",
                      {{"synthetic", mean_pairwise_error(dep_train, dep_syn)},
                       {"test", mean_pairwise_error(dep_train, dep_test)}}}};
  seconds["fidelity"] = since(t0);
  if (config.detection) {
    t0 = Clock::now();
    DetectionSettings ds;
    ds.max_rows = config.detection_rows;
    ds.folds = config.detection_folds;
    ds.rounds = config.detection_rounds;
    ds.threads = config.threads;
    ds.seed = core::derive_seed(config.seed, {2});
    fid["detection"] = detection_score(pre, train, syn, ds);
    seconds["detection"] = since(t0);
  }
  out["fidelity"] = fid;

  // Privacy.
  t0 = Clock::now();
  nlohmann::json priv;
  priv["exact_copy_rate"] = {{"synthetic", exact_copy_rate(train, syn)},
                             {"test", exact_copy_rate(train, test)}};
  uint64_t pseed = core::derive_seed(config.seed, {3});
  priv["dcr"] = {
      {"synthetic", dcr_json(distances_to_closest(pre, train, syn, config.privacy_rows,
                                                  core::derive_seed(pseed, {1}), config.threads))},
      {"test", dcr_json(distances_to_closest(pre, train, test, config.privacy_rows,
                                             core::derive_seed(pseed, {2}), config.threads))}};
  out["privacy"] = priv;
  seconds["privacy"] = since(t0);
}

}  // namespace

nlohmann::json evaluate_tables(const data::CsvTable& train_csv, const data::CsvTable& test_csv,
                               const data::CsvTable* synthetic_csv,
                               const data::CsvTable* augmented_csv, const data::Schema& schema,
                               const EvalConfig& config) {
  const auto start = Clock::now();
  if (!synthetic_csv && !augmented_csv) {
    throw InvalidArgument("evaluate: give a synthetic table, an augmented table, or both");
  }
  Preprocessor pre(train_csv, schema);
  const int target = pre.column_index(config.target);
  if (target < 0) {
    throw DataError(fmt::format("{}: target column '{}' is not in the real train table",
                                train_csv.source, config.target));
  }
  if (pre.kind(static_cast<size_t>(target)) != Kind::Categorical) {
    throw DataError(
        fmt::format("{}: target column '{}' is numeric; the evaluation needs a "
                    "categorical target (override its type with --schema)",
                    train_csv.source, config.target));
  }
  PreparedTable train = pre.prepare(train_csv);
  PreparedTable test = pre.prepare(test_csv);
  PreparedTable syn, aug;
  if (synthetic_csv) syn = pre.prepare(*synthetic_csv);
  if (augmented_csv) aug = pre.prepare(*augmented_csv);

  nlohmann::json out;
  out["format"] = "meg-evaluation";
  out["format_version"] = 1;
  out["inputs"] = {{"train", {{"path", train_csv.source}, {"rows", train.rows}}},
                   {"test", {{"path", test_csv.source}, {"rows", test.rows}}},
                   {"target", config.target}};
  if (synthetic_csv) {
    out["inputs"]["synthetic"] = {{"path", synthetic_csv->source}, {"rows", syn.rows}};
  }
  if (augmented_csv) {
    out["inputs"]["augmented"] = {{"path", augmented_csv->source}, {"rows", aug.rows}};
  }
  nlohmann::json columns = nlohmann::json::array();
  for (size_t c = 0; c < pre.num_columns(); ++c) {
    columns.push_back({{"name", pre.names()[c]},
                       {"type", data::to_string(schema.columns[c].type)},
                       {"levels", pre.levels(c).size()}});
  }
  out["columns"] = columns;
  out["settings"] = {{"seed", config.seed},
                     {"threads", config.threads},
                     {"lr_c", config.classifier.lr_c},
                     {"rf_trees", config.classifier.rf_trees},
                     {"rf_max_depth", config.classifier.rf_max_depth},
                     {"gbt_rounds", config.classifier.gbt_rounds},
                     {"gbt_max_depth", config.classifier.gbt_max_depth},
                     {"gbt_eta", config.classifier.gbt_eta},
                     {"detection_rows", config.detection_rows},
                     {"detection_folds", config.detection_folds},
                     {"detection_rounds", config.detection_rounds},
                     {"privacy_rows", config.privacy_rows}};
  nlohmann::json seconds;
  seconds["load"] = since(start);

  // Classifiers: utility (TRTR / TSTR) and lift (real vs augmented), fitted together.
  auto t0 = Clock::now();
  ClassifierSettings cs = config.classifier;
  cs.threads = config.threads;
  cs.seed = core::derive_seed(config.seed, {1});
  ClassifierResults scores =
      classifier_scores(pre, train, test, synthetic_csv ? &syn : nullptr,
                        augmented_csv ? &aug : nullptr, target, config.classifiers, cs);
  if (augmented_csv) {
    // The lift compares real train with real train plus added rows: say so when the augmented
    // table does not hold every real train row.
    const size_t included = rows_contained(train, aug);
    scores.lift["real_rows_included"] = included;
    if (included < train.rows) {
      log_message(LogLevel::Warning,
                  fmt::format("{}: holds {} of the {} real train rows; the lift compares real "
                              "train with this table as it is",
                              aug.source, included, train.rows));
    }
    out["lift"] = scores.lift;
  }
  seconds["classifiers"] = since(t0);
  if (synthetic_csv) {
    out["utility"] = scores.utility;
    add_fidelity_and_privacy(pre, train, test, syn, config, out, seconds);
  }
  seconds["total"] = since(start);
  out["seconds"] = seconds;
  return out;
}

}  // namespace meg::eval
