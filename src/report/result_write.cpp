// JSON of an EvaluationResult (format "meg-evaluation", docs/evaluation.md).
#include <cmath>
#include <string>
#include <vector>

#include "meg/evaluation_result.hpp"
#include "report/result_keys.hpp"

namespace meg {

namespace {

using json = nlohmann::json;
using report::models_key;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json nums(const std::vector<double>& v) {
  json out = json::array();
  for (double x : v) out.push_back(num(x));
  return out;
}

json matrix(const DependenceMatrix& m) {
  json out = json::array();
  for (const auto& row : m) out.push_back(nums(row));
  return out;
}

json score_json(const EvaluationScore& s, const EvaluationTarget& t) {
  if (t.task == EvaluationTask::Regression) {
    return {{"r2", num(s.r2)}, {"mae", num(s.mae)}, {"rmse", num(s.rmse)}};
  }
  json out = {{"accuracy", num(s.accuracy)},
              {"macro_f1", num(s.macro_f1)},
              {"precision", nums(s.precision)},
              {"recall", nums(s.recall)},
              {"f1", nums(s.f1)}};
  if (t.classes.size() == 2) out["roc_auc"] = num(s.roc_auc);
  return out;
}

json target_json(const EvaluationTarget& t, const char* other) {
  json out;
  out["task"] = to_string(t.task);
  out["target"] = t.target;
  out["num_features"] = t.num_features;
  out["rows"] = {{"train", t.rows.train}, {"test", t.rows.test}, {other, t.rows.other}};
  out["rows_dropped"] = {{"train", t.rows_dropped.train},
                         {"test", t.rows_dropped.test},
                         {other, t.rows_dropped.other}};
  if (t.task == EvaluationTask::Classification) {
    out["classes"] = t.classes;
    out["majority_class"] = t.majority_class;
    out["majority_class_rate"] = num(t.majority_class_rate);
  } else {
    out["mean_predictor"] = score_json(t.mean_predictor, t);
  }
  return out;
}

// The model list of a utility or lift part; `fill` writes an available model's scores.
template <class Model, class Fill>
json models_json(const std::vector<Model>& models, Fill&& fill) {
  json list = json::array();
  for (const Model& m : models) {
    json e = {{"name", m.name}, {"available", m.available}};
    if (m.available) {
      fill(m, e);
      e["cpu_seconds"] = m.cpu_seconds;
    }
    list.push_back(e);
  }
  return list;
}

json utility_json(const UtilityResult& u) {
  json out = target_json(u, "synthetic");
  out[models_key(u.task)] = models_json(u.models, [&](const UtilityModel& m, json& e) {
    e["trtr"] = score_json(m.trtr, u);
    e["tstr"] = score_json(m.tstr, u);
  });
  return out;
}

json lift_json(const LiftResult& l) {
  json out = target_json(l, "augmented");
  if (l.task == EvaluationTask::Classification) {
    out["class_rows"] = {{"train", l.class_rows_train},
                         {"test", l.class_rows_test},
                         {"augmented", l.class_rows_augmented}};
  }
  out["real_rows_included"] = l.real_rows_included;
  out[models_key(l.task)] = models_json(l.models, [&](const LiftModel& m, json& e) {
    e["real"] = score_json(m.real, l);
    e["augmented"] = score_json(m.augmented, l);
    e["difference"] = score_json(m.difference, l);
  });
  return out;
}

json chart_json(const ColumnChart& c) {
  json out = {{"type", c.type}};
  json shares = json::array();
  for (const auto& s : c.shares) shares.push_back(nums(s));
  out["shares"] = shares;
  if (c.type == "bars") {
    out["labels"] = c.labels;
  } else {
    out["min"] = num(c.min);
    out["max"] = num(c.max);
    out["missing"] = nums(c.missing);
  }
  return out;
}

json fidelity_json(const FidelityResult& f) {
  json out;
  json cols = json::array();
  for (const ColumnFidelity& c : f.columns) {
    cols.push_back({{"name", c.name},
                    {"metric", c.metric},
                    {"synthetic", num(c.synthetic)},
                    {"test", num(c.test)},
                    {"chart", chart_json(c.chart)}});
  }
  out["columns"] = cols;
  out["mean_column_distance"] = {{"synthetic", num(f.mean_distance_synthetic)},
                                 {"test", num(f.mean_distance_test)}};
  out["pairwise"] = {
      {"columns", f.pairwise_columns},
      {"train", matrix(f.pairwise_train)},
      {"synthetic", matrix(f.pairwise_synthetic)},
      {"test", matrix(f.pairwise_test)},
      {"error",
       {{"synthetic", num(f.pairwise_error_synthetic)}, {"test", num(f.pairwise_error_test)}}}};
  if (f.detection) {
    const DetectionResult& d = *f.detection;
    out["detection"] = {{"roc_auc", num(d.roc_auc)},
                        {"classifier", d.classifier},
                        {"folds", d.folds},
                        {"rounds", d.rounds},
                        {"rows", {{"real", d.rows_real}, {"synthetic", d.rows_synthetic}}},
                        {"copied_pairs", d.copied_pairs}};
  }
  return out;
}

json dcr_json(const DcrSummary& d) {
  return {{"median", num(d.median)}, {"p05", num(d.p05)}, {"queries", d.queries}};
}

json privacy_json(const PrivacyResult& p) {
  json out;
  out["exact_copy_rate"] = {{"synthetic", num(p.exact_copy_synthetic)},
                            {"test", num(p.exact_copy_test)}};
  out["dcr"] = {{"synthetic", dcr_json(p.dcr_synthetic)}, {"test", dcr_json(p.dcr_test)}};
  json attacks = json::array();
  for (const AttackResult& a : p.attacks) {
    attacks.push_back({{"name", a.name},
                       {"model", a.model},
                       {"roc_auc", num(a.roc_auc)},
                       {"tpr_at_1pct_fpr", num(a.tpr_at_1pct_fpr)},
                       {"members", a.members},
                       {"non_members", a.non_members},
                       {"reference_rows", a.reference_rows}});
  }
  out["attacks"] = attacks;
  return out;
}

json table_json(const EvaluationTable& t) { return {{"path", t.path}, {"rows", t.rows}}; }

}  // namespace

nlohmann::json to_json(const EvaluationResult& r) {
  json out;
  out["format"] = kEvaluationFormat;
  out["format_version"] = kEvaluationFormatVersion;
  out["inputs"] = {{"train", table_json(r.train)},
                   {"test", table_json(r.test)},
                   {"target", r.target},
                   {"task", to_string(r.task)}};
  if (r.synthetic) out["inputs"]["synthetic"] = table_json(*r.synthetic);
  if (r.augmented) out["inputs"]["augmented"] = table_json(*r.augmented);
  json columns = json::array();
  for (const EvaluationColumn& c : r.columns) {
    columns.push_back({{"name", c.name}, {"type", c.type}, {"levels", c.levels}, {"use", c.use}});
  }
  out["columns"] = columns;
  const EvaluationSettings& s = r.settings;
  out["settings"] = {{"seed", s.seed},
                     {"threads", s.threads},
                     {"lr_c", s.lr_c},
                     {"rf_trees", s.rf_trees},
                     {"rf_max_depth", s.rf_max_depth},
                     {"gbt_rounds", s.gbt_rounds},
                     {"gbt_max_depth", s.gbt_max_depth},
                     {"gbt_eta", s.gbt_eta},
                     {"ridge_alpha", s.ridge_alpha},
                     {"detection_rows", s.detection_rows},
                     {"detection_folds", s.detection_folds},
                     {"detection_rounds", s.detection_rounds},
                     {"privacy_rows", s.privacy_rows},
                     {"attack_rows", s.attack_rows},
                     {"max_levels_per_column", s.max_levels_per_column},
                     {"max_onehot_features", s.max_onehot_features}};
  if (r.utility) out["utility"] = utility_json(*r.utility);
  if (r.fidelity) out["fidelity"] = fidelity_json(*r.fidelity);
  if (r.privacy) out["privacy"] = privacy_json(*r.privacy);
  if (r.lift) out["lift"] = lift_json(*r.lift);
  json seconds = json::object();
  for (const auto& [part, s2] : r.seconds) seconds[part] = s2;
  out["seconds"] = seconds;
  return out;
}

}  // namespace meg
