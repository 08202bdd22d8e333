// Reading a result back from JSON with every field checked (type, presence,
// consistent sizes), so the renderers can index a result read from a file or a
// Python dict safely.
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "meg/error.hpp"
#include "meg/evaluation_result.hpp"
#include "report/result_keys.hpp"

namespace meg {

namespace {

using json = nlohmann::json;
using report::models_key;

// A node of the JSON being read and its path ("utility.classifiers[1].trtr"), so every
// error names the field.
class Node {
 public:
  Node(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw InvalidArgument(fmt::format("evaluation result: '{}' {}", path_, what));
  }
  bool has(const char* key) const { return j_.is_object() && j_.contains(key); }
  Node operator[](const char* key) const {
    if (!j_.is_object()) fail("must be an object");
    auto it = j_.find(key);
    std::string p = path_.empty() ? key : path_ + "." + key;
    if (it == j_.end()) throw InvalidArgument(fmt::format("evaluation result: '{}' is missing", p));
    return Node(*it, p);
  }
  Node operator[](size_t i) const { return Node(array().at(i), fmt::format("{}[{}]", path_, i)); }
  Node operator[](int i) const { return (*this)[static_cast<size_t>(i)]; }
  const json& array() const {
    if (!j_.is_array()) fail("must be an array");
    return j_;
  }
  size_t size() const { return array().size(); }
  double number() const {  // null = undefined (NaN)
    if (j_.is_null()) return EvaluationScore::kNaN;
    if (!j_.is_number()) fail("must be a number or null");
    return j_.get<double>();
  }
  uint64_t count() const {
    if (!j_.is_number_unsigned() && !(j_.is_number_integer() && j_.get<int64_t>() >= 0)) {
      fail("must be a whole number >= 0");
    }
    return j_.get<uint64_t>();
  }
  int integer() const {
    if (!j_.is_number_integer() || j_.get<int64_t>() < -(1LL << 31) ||
        j_.get<int64_t>() >= (1LL << 31)) {
      fail("must be an integer");
    }
    return static_cast<int>(j_.get<int64_t>());
  }
  bool boolean() const {
    if (!j_.is_boolean()) fail("must be true or false");
    return j_.get<bool>();
  }
  std::string text() const {
    if (!j_.is_string()) fail("must be a string");
    return j_.get<std::string>();
  }
  std::vector<double> numbers(std::optional<size_t> expected = std::nullopt) const {
    std::vector<double> out;
    for (size_t i = 0; i < size(); ++i) out.push_back((*this)[i].number());
    if (expected && out.size() != *expected) fail(fmt::format("must have {} entries", *expected));
    return out;
  }
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < size(); ++i) out.push_back((*this)[i].text());
    return out;
  }
  std::vector<uint64_t> counts(size_t expected) const {
    std::vector<uint64_t> out;
    for (size_t i = 0; i < size(); ++i) out.push_back((*this)[i].count());
    if (out.size() != expected) fail(fmt::format("must have {} entries", expected));
    return out;
  }
  const std::string& path() const { return path_; }

 private:
  const json& j_;
  std::string path_;
};

EvaluationTask read_task(const Node& n) {
  const std::string s = n.text();
  if (s == "classification") return EvaluationTask::Classification;
  if (s == "regression") return EvaluationTask::Regression;
  n.fail("must be \"classification\" or \"regression\"");
}

EvaluationScore read_score(const Node& n, const EvaluationTarget& t) {
  EvaluationScore s;
  if (t.task == EvaluationTask::Regression) {
    s.r2 = n["r2"].number();
    s.mae = n["mae"].number();
    s.rmse = n["rmse"].number();
    return s;
  }
  const size_t k = t.classes.size();
  s.accuracy = n["accuracy"].number();
  s.macro_f1 = n["macro_f1"].number();
  s.precision = n["precision"].numbers(k);
  s.recall = n["recall"].numbers(k);
  s.f1 = n["f1"].numbers(k);
  if (n.has("roc_auc")) s.roc_auc = n["roc_auc"].number();
  return s;
}

void read_target(const Node& n, const char* other, EvaluationTarget& t) {
  t.task = n.has("task") ? read_task(n["task"]) : EvaluationTask::Classification;
  t.target = n["target"].text();
  t.num_features = n["num_features"].count();
  t.rows = {n["rows"]["train"].count(), n["rows"]["test"].count(), n["rows"][other].count()};
  t.rows_dropped = {n["rows_dropped"]["train"].count(), n["rows_dropped"]["test"].count(),
                    n["rows_dropped"][other].count()};
  if (t.task == EvaluationTask::Classification) {
    t.classes = n["classes"].texts();
    if (t.classes.empty()) n["classes"].fail("must not be empty");
    t.majority_class = n["majority_class"].text();
    t.majority_class_rate = n["majority_class_rate"].number();
  } else {
    t.mean_predictor = read_score(n["mean_predictor"], t);
  }
}

// The model list of a utility or lift part; `fill` reads an available model's scores.
template <class Model, class Fill>
std::vector<Model> read_models(const Node& n, const EvaluationTarget& t, Fill&& fill) {
  std::vector<Model> out;
  const Node list = n[models_key(t.task)];
  for (size_t i = 0; i < list.size(); ++i) {
    const Node e = list[i];
    Model m;
    m.name = e["name"].text();
    m.available = e["available"].boolean();
    if (m.available) {
      fill(e, m);
      if (e.has("cpu_seconds")) m.cpu_seconds = e["cpu_seconds"].number();
    }
    out.push_back(std::move(m));
  }
  return out;
}

UtilityResult read_utility(const Node& n) {
  UtilityResult u;
  read_target(n, "synthetic", u);
  u.models = read_models<UtilityModel>(n, u, [&](const Node& e, UtilityModel& m) {
    m.trtr = read_score(e["trtr"], u);
    m.tstr = read_score(e["tstr"], u);
  });
  return u;
}

LiftResult read_lift(const Node& n) {
  LiftResult l;
  read_target(n, "augmented", l);
  if (l.task == EvaluationTask::Classification) {
    const size_t k = l.classes.size();
    l.class_rows_train = n["class_rows"]["train"].counts(k);
    l.class_rows_test = n["class_rows"]["test"].counts(k);
    l.class_rows_augmented = n["class_rows"]["augmented"].counts(k);
  }
  l.real_rows_included = n["real_rows_included"].count();
  l.models = read_models<LiftModel>(n, l, [&](const Node& e, LiftModel& m) {
    m.real = read_score(e["real"], l);
    m.augmented = read_score(e["augmented"], l);
    m.difference = read_score(e["difference"], l);
  });
  return l;
}

ColumnChart read_chart(const Node& n) {
  ColumnChart c;
  c.type = n["type"].text();
  const Node shares = n["shares"];
  if (shares.size() < 2) shares.fail("must hold real train and synthetic shares");
  size_t width = 0;
  if (c.type == "bars") {
    c.labels = n["labels"].texts();
    width = c.labels.size();
  } else if (c.type == "histogram") {
    c.min = n["min"].number();
    c.max = n["max"].number();
    c.missing = n["missing"].numbers(shares.size());
    width = shares[0].size();
  } else {
    n["type"].fail("must be \"bars\" or \"histogram\"");
  }
  for (size_t i = 0; i < shares.size(); ++i) c.shares.push_back(shares[i].numbers(width));
  return c;
}

DependenceMatrix read_matrix(const Node& n, size_t size) {
  DependenceMatrix m;
  if (n.size() != size) n.fail(fmt::format("must have {} rows", size));
  for (size_t i = 0; i < size; ++i) m.push_back(n[i].numbers(size));
  return m;
}

FidelityResult read_fidelity(const Node& n) {
  FidelityResult f;
  const Node cols = n["columns"];
  for (size_t i = 0; i < cols.size(); ++i) {
    ColumnFidelity c;
    c.name = cols[i]["name"].text();
    c.metric = cols[i]["metric"].text();
    c.synthetic = cols[i]["synthetic"].number();
    c.test = cols[i]["test"].number();
    c.chart = read_chart(cols[i]["chart"]);
    f.columns.push_back(std::move(c));
  }
  f.mean_distance_synthetic = n["mean_column_distance"]["synthetic"].number();
  f.mean_distance_test = n["mean_column_distance"]["test"].number();
  const Node p = n["pairwise"];
  f.pairwise_columns = p["columns"].texts();
  const size_t m = f.pairwise_columns.size();
  f.pairwise_train = read_matrix(p["train"], m);
  f.pairwise_synthetic = read_matrix(p["synthetic"], m);
  f.pairwise_test = read_matrix(p["test"], m);
  f.pairwise_error_synthetic = p["error"]["synthetic"].number();
  f.pairwise_error_test = p["error"]["test"].number();
  if (n.has("detection")) {
    const Node d = n["detection"];
    DetectionResult r;
    r.roc_auc = d["roc_auc"].number();
    r.classifier = d["classifier"].text();
    r.folds = d["folds"].integer();
    r.rounds = d.has("rounds") ? d["rounds"].integer() : 0;
    r.rows_real = d["rows"]["real"].count();
    r.rows_synthetic = d["rows"]["synthetic"].count();
    r.copied_pairs = d.has("copied_pairs") ? d["copied_pairs"].count() : 0;
    f.detection = r;
  }
  return f;
}

DcrSummary read_dcr(const Node& n) {
  return {n["median"].number(), n["p05"].number(), n["queries"].count()};
}

PrivacyResult read_privacy(const Node& n) {
  PrivacyResult p;
  p.exact_copy_synthetic = n["exact_copy_rate"]["synthetic"].number();
  p.exact_copy_test = n["exact_copy_rate"]["test"].number();
  p.dcr_synthetic = read_dcr(n["dcr"]["synthetic"]);
  p.dcr_test = read_dcr(n["dcr"]["test"]);
  if (n.has("attacks")) {
    const Node list = n["attacks"];
    for (size_t i = 0; i < list.size(); ++i) {
      const Node a = list[i];
      p.attacks.push_back({a["name"].text(), a["model"].text(), a["roc_auc"].number(),
                           a["tpr_at_1pct_fpr"].number(), a["members"].count(),
                           a["non_members"].count(), a["reference_rows"].count()});
    }
  }
  return p;
}

EvaluationTable read_table(const Node& n) { return {n["path"].text(), n["rows"].count()}; }

}  // namespace

EvaluationResult evaluation_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("format") || j["format"] != kEvaluationFormat) {
    throw InvalidArgument(
        fmt::format("evaluation result: not a \"{}\" result (no \"format\": "
                    "\"{}\" field)",
                    kEvaluationFormat, kEvaluationFormat));
  }
  const Node root(j, "");
  EvaluationResult r;
  r.format_version = root["format_version"].integer();
  if (r.format_version < 1 || r.format_version > kEvaluationFormatVersion) {
    throw InvalidArgument(
        fmt::format("evaluation result: format_version {} is not readable by this meg (1 to {})",
                    r.format_version, kEvaluationFormatVersion));
  }
  const Node in = root["inputs"];
  r.train = read_table(in["train"]);
  r.test = read_table(in["test"]);
  if (in.has("synthetic")) r.synthetic = read_table(in["synthetic"]);
  if (in.has("augmented")) r.augmented = read_table(in["augmented"]);
  r.target = in["target"].text();
  r.task = in.has("task") ? read_task(in["task"]) : EvaluationTask::Classification;
  const Node cols = root["columns"];
  for (size_t i = 0; i < cols.size(); ++i) {
    EvaluationColumn c;
    c.name = cols[i]["name"].text();
    c.type = cols[i]["type"].text();
    c.levels = cols[i]["levels"].count();
    if (cols[i].has("use")) c.use = cols[i]["use"].text();
    r.columns.push_back(std::move(c));
  }
  const Node s = root["settings"];
  EvaluationSettings& st = r.settings;
  st.seed = s["seed"].count();
  st.threads = s["threads"].integer();
  st.lr_c = s["lr_c"].number();
  st.rf_trees = s["rf_trees"].integer();
  st.rf_max_depth = s["rf_max_depth"].integer();
  st.gbt_rounds = s["gbt_rounds"].integer();
  st.gbt_max_depth = s["gbt_max_depth"].integer();
  st.gbt_eta = s["gbt_eta"].number();
  st.detection_rows = s["detection_rows"].count();
  st.detection_folds = s["detection_folds"].integer();
  st.detection_rounds = s["detection_rounds"].integer();
  st.privacy_rows = s["privacy_rows"].count();
  if (r.format_version >= 2) {
    st.ridge_alpha = s["ridge_alpha"].number();
    st.attack_rows = s["attack_rows"].count();
    st.max_levels_per_column = s["max_levels_per_column"].count();
    st.max_onehot_features = s["max_onehot_features"].count();
  }
  if (root.has("utility")) r.utility = read_utility(root["utility"]);
  if (root.has("fidelity")) r.fidelity = read_fidelity(root["fidelity"]);
  if (root.has("privacy")) r.privacy = read_privacy(root["privacy"]);
  if (root.has("lift")) r.lift = read_lift(root["lift"]);
  const Node sec = root["seconds"];
  if (!j["seconds"].is_object()) sec.fail("must be an object");
  for (const auto& [part, v] : j["seconds"].items()) {
    r.seconds[part] = sec[part.c_str()].number();
  }
  validate(r);
  return r;
}

}  // namespace meg
