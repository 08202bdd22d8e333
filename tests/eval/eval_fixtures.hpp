// Seeded mixed-type tables for the evaluation tests.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "eval/evaluate.hpp"
#include "meg/error.hpp"
#include "meg/evaluation_result.hpp"
#include "report/text_report.hpp"

namespace meg::eval::testing {

// Columns: color (cat, 3 levels), size (continuous, 3% missing '?'), count
// (integer 0..99), shape (cat, depends strongly on color, 3% missing), label
// (target yes/no, depends on size and color). Strong dependences by design.
inline data::CsvTable make_table(size_t n, uint64_t seed, const std::string& source = "t.csv") {
  core::Rng rng(seed);
  data::CsvTable t;
  t.source = source;
  t.header = {"color", "size", "count", "shape", "label"};
  t.columns.resize(5);
  const char* colors[] = {"red", "green", "blue"};
  const char* shapes[] = {"circle", "square", "triangle"};
  for (size_t r = 0; r < n; ++r) {
    int c = static_cast<int>(rng.below(3));
    double size = 10.0 * c + 3.0 * rng.normal();
    int count = static_cast<int>(rng.below(100));
    int shape = rng.uniform() < 0.85 ? c : static_cast<int>(rng.below(3));
    bool yes = size + 4.0 * rng.normal() > 12.0;
    t.columns[0].push_back(colors[c]);
    t.columns[1].push_back(rng.uniform() < 0.03 ? "?" : fmt::format("{:.3f}", size));
    t.columns[2].push_back(std::to_string(count));
    t.columns[3].push_back(rng.uniform() < 0.03 ? "?" : shapes[shape]);
    t.columns[4].push_back(yes ? "yes" : "no");
    t.row_line.push_back(r + 2);
  }
  return t;
}

inline data::CsvTable copy_rows(const data::CsvTable& t, const std::vector<size_t>& rows,
                                const std::string& source) {
  data::CsvTable out;
  out.source = source;
  out.header = t.header;
  out.columns.resize(t.num_cols());
  for (size_t r : rows) {
    for (size_t c = 0; c < t.num_cols(); ++c) out.columns[c].push_back(t.columns[c][r]);
    out.row_line.push_back(out.row_line.size() + 2);
  }
  return out;
}

// Small, fast settings for tests.
inline EvalConfig test_config(const std::string& target = "label") {
  EvalConfig c;
  c.target = target;
  c.seed = 7;
  c.threads = 2;
  c.classifier.gbt_rounds = 60;
  c.classifier.rf_trees = 30;
  c.detection_rounds = 40;
  c.privacy_rows = 400;
  return c;
}

// The result as JSON (to_json): the tests read it by the documented key paths.
inline nlohmann::json run(const data::CsvTable& train, const data::CsvTable& test,
                          const data::CsvTable& syn, const EvalConfig& config) {
  nlohmann::json r =
      to_json(evaluate_tables(train, test, &syn, nullptr, data::infer_schema(train), config));
  if (std::getenv("MEG_TEST_VERBOSE")) {
    std::fprintf(stderr, "%s\n", r["seconds"].dump().c_str());
    for (auto& c : r["utility"]["classifiers"])
      std::fprintf(stderr, "%s %s\n", c["name"].dump().c_str(), c["cpu_seconds"].dump().c_str());
  }
  return r;
}

// The text rendering of a JSON result (read back with evaluation_from_json).
inline std::string text_of(const nlohmann::json& r) {
  return report::format_text(evaluation_from_json(r));
}

// The message of the `Exception` (DataError by default) `fn` throws, or "(none)".
template <class Exception = DataError, class Fn>
std::string data_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Exception& e) {
    return e.what();
  }
  return "(none)";
}

}  // namespace meg::eval::testing
