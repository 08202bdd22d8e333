// The consistency checks of an EvaluationResult that the renderers rely on.
#include <string>

#include <fmt/format.h>

#include "meg/error.hpp"
#include "meg/evaluation_result.hpp"

namespace meg {

void validate(const EvaluationResult& r) {
  auto fail = [](const std::string& what) { throw InvalidArgument("evaluation result: " + what); };
  if (!r.synthetic && !r.augmented) fail("names neither a synthetic nor an augmented table");
  if (r.synthetic && !(r.utility && r.fidelity && r.privacy)) {
    fail("a synthetic table needs 'utility', 'fidelity' and 'privacy'");
  }
  if (r.augmented && !r.lift) fail("an augmented table needs 'lift'");
  auto check_score = [&](const EvaluationScore& s, const EvaluationTarget& t,
                         const std::string& where) {
    if (t.task != EvaluationTask::Classification) return;
    const size_t k = t.classes.size();
    if (s.precision.size() != k || s.recall.size() != k || s.f1.size() != k) {
      fail(fmt::format("'{}': per-class scores need {} entries (one per class)", where, k));
    }
  };
  auto check_target = [&](const EvaluationTarget& t, const char* part) {
    if (t.task == EvaluationTask::Classification && t.classes.empty()) {
      fail(fmt::format("'{}.classes' is empty", part));
    }
  };
  if (r.utility) {
    check_target(*r.utility, "utility");
    for (const UtilityModel& m : r.utility->models) {
      if (!m.available) continue;
      check_score(m.trtr, *r.utility, "utility." + m.name + ".trtr");
      check_score(m.tstr, *r.utility, "utility." + m.name + ".tstr");
    }
  }
  if (r.lift) {
    const LiftResult& l = *r.lift;
    check_target(l, "lift");
    const size_t k = l.classes.size();
    if (l.task == EvaluationTask::Classification &&
        (l.class_rows_train.size() != k || l.class_rows_test.size() != k ||
         l.class_rows_augmented.size() != k)) {
      fail(fmt::format("'lift.class_rows' needs {} entries per table (one per class)", k));
    }
    for (const LiftModel& m : l.models) {
      if (!m.available) continue;
      check_score(m.real, l, "lift." + m.name + ".real");
      check_score(m.augmented, l, "lift." + m.name + ".augmented");
      check_score(m.difference, l, "lift." + m.name + ".difference");
    }
  }
  if (r.fidelity) {
    const FidelityResult& f = *r.fidelity;
    const size_t m = f.pairwise_columns.size();
    for (const DependenceMatrix* d : {&f.pairwise_train, &f.pairwise_synthetic, &f.pairwise_test}) {
      if (d->size() != m) fail(fmt::format("'fidelity.pairwise' matrices need {} rows", m));
      for (const auto& row : *d) {
        if (row.size() != m) fail(fmt::format("'fidelity.pairwise' matrices need {} columns", m));
      }
    }
    for (const ColumnFidelity& c : f.columns) {
      const ColumnChart& ch = c.chart;
      const std::string where = "fidelity.columns." + c.name + ".chart";
      if (ch.type != "bars" && ch.type != "histogram") fail("'" + where + ".type' is unknown");
      if (ch.shares.size() < 2) fail("'" + where + ".shares' needs train and synthetic series");
      const size_t width = ch.type == "bars" ? ch.labels.size() : ch.shares[0].size();
      for (const auto& series : ch.shares) {
        if (series.size() != width) fail("'" + where + ".shares' series differ in length");
      }
      if (ch.type == "histogram" && ch.missing.size() != ch.shares.size()) {
        fail("'" + where + ".missing' needs one entry per series");
      }
    }
  }
}

}  // namespace meg
