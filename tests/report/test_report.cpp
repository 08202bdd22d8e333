#include <string>

#include <gtest/gtest.h>

#include "eval/eval_fixtures.hpp"
#include "meg/error.hpp"
#include "report/html_report.hpp"
#include "report/svg.hpp"

namespace meg::report {
namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

EvaluationResult small_result(const data::CsvTable& syn) {
  data::CsvTable train = eval::testing::make_table(600, 1, "train.csv");
  data::CsvTable test = eval::testing::make_table(300, 2, "test.csv");
  return eval::evaluate_tables(train, test, &syn, nullptr, data::infer_schema(train),
                               eval::testing::test_config());
}

TEST(Report, IsSelfContainedAndHasEveryChart) {
  data::CsvTable syn = eval::testing::make_table(600, 3, "fresh <synthetic>.csv");
  EvaluationResult r = small_result(syn);
  std::string html = render_html(r, {"My <report>", "gen & co"});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  // Nothing to fetch: no scripts, links, images; the only URL is the SVG namespace.
  EXPECT_EQ(count(html, "<script"), 0u);
  EXPECT_EQ(count(html, "<link"), 0u);
  EXPECT_EQ(count(html, "<img"), 0u);
  EXPECT_EQ(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  // One panel per column (5), the accuracy chart, and three heat maps; every SVG closed.
  EXPECT_EQ(count(html, "<svg"), 5u + 1u + 3u);
  EXPECT_EQ(count(html, "<svg"), count(html, "</svg>"));
  EXPECT_EQ(count(html, "<polygon"), 2u * 2u);  // 2 numeric columns x (real, synthetic)
  for (const char* name : {"color", "size", "count", "shape", "label"}) {
    EXPECT_NE(html.find(std::string("<h3>") + name + "</h3>"), std::string::npos) << name;
  }
  // User text is escaped.
  EXPECT_NE(html.find("My &lt;report&gt;"), std::string::npos);
  EXPECT_NE(html.find("gen &amp; co"), std::string::npos);
  EXPECT_NE(html.find("fresh &lt;synthetic&gt;.csv"), std::string::npos);
  EXPECT_EQ(html.find("<synthetic>"), std::string::npos);
  // Readings of a fresh sample of the same distribution.
  EXPECT_NE(html.find("hard to tell apart"), std::string::npos);
  EXPECT_NE(html.find("no sign that the generator memorised"), std::string::npos);
}

TEST(Report, ACopiedTableIsReadAsALeak) {
  data::CsvTable train = eval::testing::make_table(600, 1, "train.csv");
  EvaluationResult r = small_result(train);
  std::string html = render_html(r);
  EXPECT_NE(html.find("this table leaks the training data"), std::string::npos);
  EXPECT_NE(html.find("a privacy risk"), std::string::npos);
}

TEST(Report, ShowsTheLiftWithAndWithoutASyntheticTable) {
  data::CsvTable train = eval::testing::make_table(600, 1, "train.csv");
  data::CsvTable test = eval::testing::make_table(300, 2, "test.csv");
  data::CsvTable syn = eval::testing::make_table(600, 3, "syn.csv");
  data::CsvTable aug = eval::testing::make_table(900, 4, "aug <more>.csv");
  const data::Schema schema = data::infer_schema(train);
  const eval::EvalConfig config = eval::testing::test_config();
  std::string both = render_html(eval::evaluate_tables(train, test, &syn, &aug, schema, config));
  // The synthetic page plus the lift: its heading, tables and one macro-F1 chart.
  EXPECT_EQ(count(both, "<svg"), 5u + 1u + 3u + 1u);
  EXPECT_EQ(count(both, "<h2>Lift: train on real + synthetic rows, test on real</h2>"), 1u);
  EXPECT_NE(both.find("Best macro-F1, real (augmented)"), std::string::npos);
  EXPECT_NE(both.find("aug &lt;more&gt;.csv"), std::string::npos);
  // This augmented table is a fresh sample, not train plus rows: the page says so. (A fresh row
  // may equal a train row by chance, so the count found is not asserted.)
  EXPECT_NE(both.find("the augmented table holds only "), std::string::npos);
  EXPECT_NE(both.find(" of the 600 real train rows."), std::string::npos);

  std::string lift_only =
      render_html(eval::evaluate_tables(train, test, nullptr, &aug, schema, config));
  EXPECT_EQ(count(lift_only, "<svg"), 1u);
  EXPECT_EQ(count(lift_only, "<svg"), count(lift_only, "</svg>"));
  EXPECT_EQ(lift_only.find("Fidelity"), std::string::npos);
  EXPECT_EQ(lift_only.find("Privacy"), std::string::npos);
  EXPECT_NE(lift_only.find("<h2>Lift:"), std::string::npos);
  EXPECT_NE(lift_only.find("<h2>Method</h2>"), std::string::npos);
}

TEST(Report, RejectsOtherJson) {
  EXPECT_THROW(evaluation_from_json(nlohmann::json{{"a", 1}}), InvalidArgument);
}

TEST(Readings, ThresholdsGiveTheExpectedWords) {
  EXPECT_NE(read_detection(0.52).find("hard to tell apart"), std::string::npos);
  EXPECT_NE(read_detection(0.7).find("partly distinguishable"), std::string::npos);
  EXPECT_NE(read_detection(0.97).find("easy to tell apart"), std::string::npos);
  EXPECT_NE(read_detection(0.2).find("copy real rows"), std::string::npos);
  EXPECT_NE(read_exact_copies(0.001, 0.001).find("no more"), std::string::npos);
  EXPECT_NE(read_exact_copies(0.1, 0.001).find("more train rows than chance"), std::string::npos);
  EXPECT_NE(read_dcr(0.1, 0.5, 0, 0.1).find("privacy risk"), std::string::npos);
  EXPECT_NE(read_dcr(0.3, 0.5, 0.1, 0.1).find("mild sign"), std::string::npos);
  EXPECT_NE(read_utility(0.76, 0.85, 0.76).find("nothing beyond"), std::string::npos);
  EXPECT_NE(read_utility(0.82, 0.86, 0.76).find("keeps 60%"), std::string::npos);
  EXPECT_NE(read_lift("lr", 0.795, "rf", 0.938).find("improve the best model by 0.143"),
            std::string::npos);
  EXPECT_NE(read_lift("gbt", 1.0, "gbt", 0.955).find("worse by 0.045"), std::string::npos);
  EXPECT_NE(read_lift("lr", 0.8, "lr", 0.802).find("very little"), std::string::npos);
}

TEST(Svg, EscapesAndFormatsNumbers) {
  EXPECT_EQ(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(short_number(0), "0");
  EXPECT_EQ(short_number(0.25), "0.25");
  EXPECT_EQ(short_number(99999), "100k");
  EXPECT_EQ(short_number(1484705), "1.48M");
  std::string h = heatmap({"a", "b"}, {{1, -1}, {-1, 1}}, true, 10);
  EXPECT_EQ(count(h, "<rect"), 4u);
  EXPECT_NE(h.find("#b2182b"), std::string::npos);  // +1: darkest red
  EXPECT_NE(h.find("#2166ac"), std::string::npos);  // -1: darkest blue
}

}  // namespace
}  // namespace meg::report
