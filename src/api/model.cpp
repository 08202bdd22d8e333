#include "meg/model.hpp"

#include <chrono>

#include <fmt/format.h>

#include "core/json_text.hpp"
#include "data/row_model.hpp"
#include "data/schema.hpp"
#include "data/table_builder.hpp"
#include "ensemble/conditional.hpp"
#include "ensemble/dp_fit.hpp"
#include "ensemble/meg_model.hpp"
#include "meg/error.hpp"
#include "privacy/ledger.hpp"

namespace meg {

struct Model::Impl {
  ensemble::MegModel model;
};

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

namespace {

ensemble::MegModel fit_built(data::BuiltTable table, const FitOptions& options,
                             const ProgressFn& progress) {
  return ensemble::MegModel::fit_encoded(std::move(table.codec), std::move(table.data),
                                         table.source, options, progress);
}

}  // namespace

Model Model::fit_csv(const std::string& csv_path, const FitOptions& options,
                     const std::string& schema_path, const ProgressFn& progress) {
  validate_options(options);
  nlohmann::json overrides;
  if (!schema_path.empty()) overrides = data::read_schema_file(schema_path);
  const data::BuildOptions b = ensemble::MegModel::build_options(
      options, schema_path.empty() ? nullptr : &overrides, schema_path, progress);
  return Model(
      std::make_unique<Impl>(Impl{fit_built(data::build_table(csv_path, b), options, progress)}));
}

namespace {

// A private fit may store nothing derived from single rows: an id codec keeps the training
// ids' positions and a date/time codec its values' bins fitted without noise, so neither role
// is offered there (docs/privacy.md).
void refuse_private_roles(const nlohmann::json& file, const std::string& schema_path) {
  if (!file.is_object() || !file.contains("columns") || !file["columns"].is_array()) return;
  for (const auto& col : file["columns"]) {
    if (!col.is_object() || !col.contains("type") || !col["type"].is_string()) continue;
    const std::string type = col["type"].get<std::string>();
    if (type == "id" || type == "datetime" || type == "date" || type == "time") {
      throw InvalidArgument(fmt::format(
          "{}: column '{}' has type {}: a fit with --epsilon does not model {} columns (drop "
          "the column, or declare it categorical with public \"levels\")",
          schema_path, col.value("name", std::string("?")), type,
          type == "id" ? "id" : "date/time"));
    }
  }
}

}  // namespace

Model Model::fit_csv_private(const std::string& csv_path, const FitOptions& options,
                             const DpOptions& dp, const std::string& schema_path,
                             const ProgressFn& progress) {
  validate_dp_options(dp);
  validate_options(options);
  if (schema_path.empty()) {
    throw InvalidArgument(
        "--epsilon needs --schema FILE giving every column's type (types are never read from "
        "the data in a private fit)");
  }
  const nlohmann::json file = data::read_schema_file(schema_path);
  refuse_private_roles(file, schema_path);
  const data::CsvTable table = data::read_csv(csv_path);
  return Model(std::make_unique<Impl>(
      Impl{ensemble::fit_private(table, file, schema_path, options, dp, progress)}));
}

Model Model::fit_csv_text(const std::string& text, const std::string& source,
                          const FitOptions& options, const std::string& schema_json,
                          const ProgressFn& progress) {
  validate_options(options);
  nlohmann::json overrides;
  if (!schema_json.empty()) overrides = core::parse_json_text(schema_json, "schema");
  const data::BuildOptions b = ensemble::MegModel::build_options(
      options, schema_json.empty() ? nullptr : &overrides, "schema", progress);
  return Model(std::make_unique<Impl>(
      Impl{fit_built(data::build_table(data::memory_source(text), source, b), options, progress)}));
}

namespace {

// Progress events of a sample of n rows.
ensemble::RowsWritten sample_progress(uint64_t n, const ProgressFn& progress) {
  if (!progress) return {};
  const auto start = std::chrono::steady_clock::now();
  return [n, start, &progress](uint64_t rows) {
    Progress p;
    p.stage = "sample";
    p.rows = rows;
    p.rows_total = n;
    p.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress(p);
  };
}

}  // namespace

void Model::sample_to_file(uint64_t n, uint64_t seed, int threads, const std::string& path,
                           const ProgressFn& progress) const {
  check_sample_rows(n);
  impl_->model.sample_to_file(n, seed, threads, path, sample_progress(n, progress));
}

std::string Model::sample_csv(uint64_t n, uint64_t seed, int threads) const {
  check_sample_rows(n);
  return impl_->model.sample_csv(n, seed, threads);
}

void Model::sample_to_file(uint64_t n, uint64_t seed, int threads, const std::string& path,
                           const std::vector<std::string>& where,
                           const ProgressFn& progress) const {
  check_sample_rows(n);
  if (where.empty()) return sample_to_file(n, seed, threads, path, progress);
  ensemble::ConditionalSampler(impl_->model, where, threads)
      .sample_to_file(n, seed, threads, path, sample_progress(n, progress));
}

std::string Model::sample_csv(uint64_t n, uint64_t seed, int threads,
                              const std::vector<std::string>& where) const {
  check_sample_rows(n);
  if (where.empty()) return sample_csv(n, seed, threads);
  return ensemble::ConditionalSampler(impl_->model, where, threads).sample_csv(n, seed, threads);
}

std::string Model::sample_csv_chunks(uint64_t n, uint64_t seed, int threads, uint64_t begin,
                                     uint64_t end) const {
  check_sample_rows(n);
  return ensemble::collect_text([&](const ensemble::TextSink& sink) {
    impl_->model.sample_text(n, seed, threads, sink, {}, {begin, end});
  });
}

uint64_t Model::sample_chunk_rows() { return ensemble::kChunkRows; }

std::vector<std::string> Model::column_names() const { return impl_->model.codec().column_names(); }

void Model::save(const std::string& path) const { impl_->model.save(path); }

Model Model::load(const std::string& path) {
  return Model(std::make_unique<Impl>(Impl{ensemble::MegModel::load(path)}));
}

std::string Model::privacy_text() const {
  const auto& summary = impl_->model.fit_summary();
  if (!summary.contains("privacy")) return "";
  const auto& p = summary["privacy"];
  return privacy::PrivacyLedger::from_json(p.at("ledger")).to_text();
}

uint64_t Model::training_rows() const { return impl_->model.training_rows(); }

nlohmann::ordered_json Model::describe() const {
  const auto& m = impl_->model;
  const auto& codec = m.codec();
  nlohmann::ordered_json out;
  out["training_rows"] = m.training_rows();
  nlohmann::ordered_json cols = nlohmann::ordered_json::array();
  for (size_t c = 0; c < codec.num_cols(); ++c) {
    const auto& cs = codec.schema().columns[c];
    nlohmann::ordered_json jc;
    jc["name"] = cs.name;
    jc["type"] = data::to_string(cs.type);
    jc["codes"] = codec.column(c).cardinality();
    cols.push_back(jc);
  }
  out["columns"] = cols;
  nlohmann::ordered_json units = nlohmann::ordered_json::array();
  for (size_t u = 0; u < m.units().size(); ++u) {
    const auto& unit = m.units()[u];
    nlohmann::ordered_json ju;
    ju["class"] = codec.schema().columns[unit.class_column()].name;
    ju["weight"] = m.weights()[u];
    nlohmann::ordered_json parents = nlohmann::ordered_json::object();
    for (uint32_t c : unit.order()) {
      std::vector<std::string> names;
      for (uint32_t p : unit.parents()[c]) names.push_back(codec.schema().columns[p].name);
      parents[codec.schema().columns[c].name] = names;
    }
    ju["parents"] = parents;
    ju["training"] = nlohmann::ordered_json::parse(unit.training_log().dump());
    units.push_back(ju);
  }
  out["units"] = units;
  // Joint decoding and the rules enforced while sampling (data/row_model.hpp).
  nlohmann::ordered_json rules = nlohmann::ordered_json::object();
  if (const data::RowModel* rm = codec.row_model()) {
    std::vector<std::string> keys;
    for (uint32_t c : rm->key_columns()) keys.push_back(codec.schema().columns[c].name);
    rules["donor_rows"] = rm->donors();
    rules["donor_key"] = keys;
    rules["rules"] = rm->describe(codec);
  }
  out["row_model"] = rules;
  out["options"] = nlohmann::ordered_json::parse(options_to_json(m.options()).dump());
  out["fit"] = nlohmann::ordered_json::parse(m.fit_summary().dump());
  return out;
}

std::string Model::to_dot() const {
  const auto& m = impl_->model;
  const auto& cols = m.codec().schema().columns;
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') q.push_back('\\');
      q.push_back(c);
    }
    return q + "\"";
  };
  std::string out = "digraph meg {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n";
  for (size_t u = 0; u < m.units().size(); ++u) {
    const auto& unit = m.units()[u];
    const std::string cls = cols[unit.class_column()].name;
    out += fmt::format(
        "  subgraph cluster_{} {{\n    label={};\n", u,
        quote(fmt::format("unit {}: class {} (weight {:.4f})", u, cls, m.weights()[u])));
    auto node = [&](size_t c) { return quote(fmt::format("u{}:{}", u, cols[c].name)); };
    out += fmt::format("    {} [label={}, style=filled, fillcolor=lightgrey];\n",
                       node(unit.class_column()), quote(cls));
    for (uint32_t c : unit.order()) {
      out += fmt::format("    {} [label={}];\n", node(c), quote(cols[c].name));
      out += fmt::format("    {} -> {};\n", node(unit.class_column()), node(c));
      for (uint32_t p : unit.parents()[c]) out += fmt::format("    {} -> {};\n", node(p), node(c));
    }
    out += "  }\n";
  }
  out += "}\n";
  return out;
}

}  // namespace meg
