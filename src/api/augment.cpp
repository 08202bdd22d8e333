// augment_csv: real rows + class-conditional synthetic rows (docs/conditional.md).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "core/rng.hpp"
#include "data/csv.hpp"
#include "meg/error.hpp"
#include "meg/model.hpp"

namespace meg {

namespace {

AugmentSummary plan(const data::CsvTable& table, const AugmentRequest& req) {
  if (req.balance == !req.ratios.empty()) {
    throw InvalidArgument("augment: give either --balance or one or more --ratio CLASS=K");
  }
  const int target = table.column_index(req.target);
  if (target < 0) {
    throw InvalidArgument(
        fmt::format("option --target: no column named '{}' in {}", req.target, table.source));
  }
  std::map<std::string, uint64_t> counts;
  for (const auto& v : table.columns[static_cast<size_t>(target)]) ++counts[v];
  AugmentSummary out;
  uint64_t majority = 0;
  for (const auto& [k, n] : counts) {
    out.classes.push_back(k);
    out.real.push_back(n);
    majority = std::max(majority, n);
  }
  out.synthetic.assign(out.classes.size(), 0);
  if (req.balance) {
    for (size_t i = 0; i < out.classes.size(); ++i) out.synthetic[i] = majority - out.real[i];
  }
  for (const auto& [cls, k] : req.ratios) {
    auto it = std::find(out.classes.begin(), out.classes.end(), cls);
    if (it == out.classes.end()) {
      throw InvalidArgument(
          fmt::format("option --ratio {}={}: '{}' is not a class of column "
                      "'{}' in {}",
                      cls, k, cls, req.target, table.source));
    }
    if (!(k >= 1.0) || !(k <= 1e6)) {
      throw InvalidArgument(fmt::format("option --ratio {}={}: K must be in [1, 1e6]", cls, k));
    }
    const size_t i = static_cast<size_t>(it - out.classes.begin());
    const double want = std::round(k * static_cast<double>(out.real[i]));
    out.synthetic[i] = static_cast<uint64_t>(want) - out.real[i];
  }
  return out;
}

}  // namespace

AugmentSummary plan_augment(const AugmentRequest& req) {
  return plan(data::read_csv(req.data_path), req);
}

AugmentSummary augment_csv(const Model& model, const AugmentRequest& req) {
  const data::CsvTable table = data::read_csv(req.data_path);
  AugmentSummary out = plan(table, req);
  const std::vector<std::string> names = model.column_names();
  std::vector<size_t> source(names.size());  // model column -> data column
  for (size_t c = 0; c < names.size(); ++c) {
    const int idx = table.column_index(names[c]);
    if (idx < 0) {
      throw DataError(fmt::format("{}: no column '{}' (the model's columns must all be present)",
                                  table.source, names[c]));
    }
    source[c] = static_cast<size_t>(idx);
  }
  if (std::find(names.begin(), names.end(), req.target) == names.end()) {
    throw InvalidArgument(fmt::format("option --target: the model has no column '{}'", req.target));
  }
  core::AtomicFile file(req.output_path);
  std::string text;
  data::CsvWriter w(text);
  w.row(names);
  for (size_t r = 0; r < table.num_rows(); ++r) {
    for (size_t c = 0; c < names.size(); ++c) w.field(table.columns[source[c]][r]);
    w.end_row();
    if (text.size() > (1 << 20)) {
      file.write(text);
      text.clear();
    }
  }
  file.write(text);
  for (size_t i = 0; i < out.classes.size(); ++i) {
    if (out.synthetic[i] == 0) continue;
    const std::string csv = model.sample_csv(out.synthetic[i], core::derive_seed(req.seed, {31, i}),
                                             req.threads, {req.target + "=" + out.classes[i]});
    const size_t header_end = csv.find('\n');
    file.write(csv.substr(header_end == std::string::npos ? csv.size() : header_end + 1));
  }
  file.commit();
  return out;
}

}  // namespace meg
