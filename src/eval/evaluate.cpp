#include "eval/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "eval/attacks.hpp"
#include "eval/detection.hpp"
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

DcrSummary dcr_summary(const std::vector<double>& d) {
  return {quantile_sorted(d, 0.5), quantile_sorted(d, 0.05), d.size()};
}

// The parts that judge the synthetic table itself: fidelity (with detection) and privacy.
void add_fidelity_and_privacy(const Preprocessor& pre, const PreparedTable& train,
                              const PreparedTable& test, const PreparedTable& syn,
                              const EvalConfig& config, EvaluationResult& out) {
  // Fidelity: synthetic vs train, with real test vs train as the reference.
  auto t0 = Clock::now();
  FidelityResult fid;
  double sum_syn = 0, sum_test = 0;
  for (size_t c = 0; c < pre.num_columns(); ++c) {
    double ds = column_distance(pre, c, train, syn), dt = column_distance(pre, c, train, test);
    sum_syn += ds;
    sum_test += dt;
    fid.columns.push_back(
        {pre.names()[c], pre.kind(c) == Kind::Categorical ? "tv" : "ks", ds, dt,
         column_chart(pre, c, {&train, &syn, &test}, config.histogram_bins, config.chart_levels)});
  }
  const double m = static_cast<double>(pre.num_columns());
  fid.mean_distance_synthetic = sum_syn / m;
  fid.mean_distance_test = sum_test / m;
  const size_t cap = config.limits.max_levels_per_column;
  fid.pairwise_columns = pre.names();
  fid.pairwise_train = dependence_matrix(pre, train, cap);
  fid.pairwise_synthetic = dependence_matrix(pre, syn, cap);
  fid.pairwise_test = dependence_matrix(pre, test, cap);
  fid.pairwise_error_synthetic = mean_pairwise_error(fid.pairwise_train, fid.pairwise_synthetic);
  fid.pairwise_error_test = mean_pairwise_error(fid.pairwise_train, fid.pairwise_test);
  out.seconds["fidelity"] = since(t0);
  if (config.detection) {
    t0 = Clock::now();
    DetectionSettings ds;
    ds.max_rows = config.detection_rows;
    ds.folds = config.detection_folds;
    ds.rounds = config.detection_rounds;
    ds.threads = config.threads;
    ds.seed = core::derive_seed(config.seed, {2});
    ds.limits = config.limits;
    fid.detection = detection_score(pre, train, syn, ds);
    out.seconds["detection"] = since(t0);
  }
  out.fidelity = std::move(fid);

  // Privacy.
  t0 = Clock::now();
  PrivacyResult priv;
  priv.exact_copy_synthetic = exact_copy_rate(train, syn);
  priv.exact_copy_test = exact_copy_rate(train, test);
  const uint64_t pseed = core::derive_seed(config.seed, {3});
  priv.dcr_synthetic = dcr_summary(distances_to_closest(
      pre, train, syn, config.privacy_rows, core::derive_seed(pseed, {1}), config.threads));
  priv.dcr_test = dcr_summary(distances_to_closest(pre, train, test, config.privacy_rows,
                                                   core::derive_seed(pseed, {2}), config.threads));
  out.seconds["privacy"] = since(t0);
  if (config.attack_rows > 0) {
    t0 = Clock::now();
    AttackSettings as;
    as.max_candidates = config.attack_rows;
    as.max_reference = config.detection_rows;
    as.threads = config.threads;
    as.seed = core::derive_seed(config.seed, {4});
    priv.attacks = membership_attacks(pre, train, test, syn, as);
    out.seconds["attacks"] = since(t0);
  }
  out.privacy = std::move(priv);
}

// The schema with the target read as `task` needs: categorical for classification, numeric for
// regression (integer when every train value is a whole number).
data::Schema schema_for_task(const data::CsvTable& train, data::Schema schema, size_t target,
                             EvaluationTask task) {
  data::ColumnSchema& col = schema.columns[target];
  const bool categorical = col.type == data::ColumnType::Categorical;
  if (task == EvaluationTask::Classification && !categorical) {
    col.type = data::ColumnType::Categorical;
  } else if (task == EvaluationTask::Regression && categorical) {
    col.type = data::ColumnType::Integer;
    const auto& cells = train.columns[target];
    for (size_t r = 0; r < cells.size(); ++r) {
      const std::string& v = cells[r];
      if (std::find(col.missing_tokens.begin(), col.missing_tokens.end(), v) !=
          col.missing_tokens.end()) {
        continue;
      }
      const std::optional<double> x = core::parse_double(v);
      if (!x) {
        throw DataError(fmt::format(
            "{}:{}: a regression needs a numeric target, but column '{}' "
            "has the value '{}'",
            train.source, r < train.row_line.size() ? train.row_line[r] : r + 2, col.name, v));
      }
      if (*x != std::floor(*x)) col.type = data::ColumnType::Continuous;
    }
  }
  return schema;
}

}  // namespace

EvaluationResult evaluate_tables(const data::CsvTable& train_csv, const data::CsvTable& test_csv,
                                 const data::CsvTable* synthetic_csv,
                                 const data::CsvTable* augmented_csv,
                                 const data::Schema& train_schema, const EvalConfig& config) {
  const auto start = Clock::now();
  if (!synthetic_csv && !augmented_csv) {
    throw InvalidArgument("evaluate: give a synthetic table, an augmented table, or both");
  }
  const int schema_target = train_schema.column_index(config.target);
  if (schema_target < 0) {
    throw DataError(fmt::format("{}: target column '{}' is not in the real train table",
                                train_csv.source, config.target));
  }
  const auto st = static_cast<size_t>(schema_target);
  const EvaluationTask task =
      config.task.value_or(train_schema.columns[st].type == data::ColumnType::Categorical
                               ? EvaluationTask::Classification
                               : EvaluationTask::Regression);
  const data::Schema schema = schema_for_task(train_csv, train_schema, st, task);
  Preprocessor pre(train_csv, schema, config.target);
  const int target = pre.column_index(config.target);
  PreparedTable train = pre.prepare(train_csv);
  PreparedTable test = pre.prepare(test_csv);
  PreparedTable syn, aug;
  if (synthetic_csv) syn = pre.prepare(*synthetic_csv);
  if (augmented_csv) aug = pre.prepare(*augmented_csv);

  EvaluationResult out;
  out.train = {train_csv.source, train.rows};
  out.test = {test_csv.source, test.rows};
  if (synthetic_csv) out.synthetic = EvaluationTable{synthetic_csv->source, syn.rows};
  if (augmented_csv) out.augmented = EvaluationTable{augmented_csv->source, aug.rows};
  out.target = config.target;
  out.task = task;
  for (const ColumnUse& u : pre.train_columns()) {
    out.columns.push_back({u.name, data::to_string(u.type), u.levels,
                           u.name == config.target ? "target"
                           : u.identifier          ? "id"
                                                   : "feature"});
    if (u.identifier) {
      log_message(LogLevel::Info,
                  fmt::format("{}: column '{}' is an identifier ({} distinct values); left out "
                              "of the evaluation",
                              train_csv.source, u.name, u.levels));
    }
  }
  EvaluationSettings& s = out.settings;
  s.seed = config.seed;
  s.threads = config.threads;
  s.lr_c = config.classifier.lr_c;
  s.rf_trees = config.classifier.rf_trees;
  s.rf_max_depth = config.classifier.rf_max_depth;
  s.gbt_rounds = config.classifier.gbt_rounds;
  s.gbt_max_depth = config.classifier.gbt_max_depth;
  s.gbt_eta = config.classifier.gbt_eta;
  s.ridge_alpha = config.classifier.ridge_alpha;
  s.detection_rows = config.detection_rows;
  s.detection_folds = config.detection_folds;
  s.detection_rounds = config.detection_rounds;
  s.privacy_rows = config.privacy_rows;
  s.attack_rows = config.attack_rows;
  s.max_levels_per_column = config.limits.max_levels_per_column;
  s.max_onehot_features = config.limits.max_onehot_features;
  out.seconds["load"] = since(start);

  // Models: utility (TRTR / TSTR) and lift (real vs augmented), fitted together.
  auto t0 = Clock::now();
  ClassifierSettings cs = config.classifier;
  cs.threads = config.threads;
  cs.seed = core::derive_seed(config.seed, {1});
  ModelResults scores =
      model_scores(pre, train, test, synthetic_csv ? &syn : nullptr, augmented_csv ? &aug : nullptr,
                   target, task, config.classifiers, cs, config.limits);
  if (augmented_csv) {
    // The lift compares real train with real train plus added rows: say so when the augmented
    // table does not hold every real train row.
    const size_t included = rows_contained(train, aug);
    scores.lift->real_rows_included = included;
    if (included < train.rows) {
      log_message(LogLevel::Warning,
                  fmt::format("{}: holds {} of the {} real train rows; the lift compares real "
                              "train with this table as it is",
                              aug.source, included, train.rows));
    }
    out.lift = std::move(scores.lift);
  }
  out.seconds["classifiers"] = since(t0);
  if (synthetic_csv) {
    out.utility = std::move(scores.utility);
    add_fidelity_and_privacy(pre, train, test, syn, config, out);
  }
  out.seconds["total"] = since(start);
  return out;
}

}  // namespace meg::eval
