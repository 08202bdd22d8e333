// The typed result and its JSON: a round trip keeps every value; results of the previous
// format still render; an edited result renders or fails with one line naming the field.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "eval/eval_fixtures.hpp"
#include "meg/error.hpp"
#include "report/html_report.hpp"
#include "report/text_report.hpp"

namespace meg::report {
namespace {

nlohmann::json small_json() {
  data::CsvTable train = eval::testing::make_table(400, 1, "train.csv");
  data::CsvTable test = eval::testing::make_table(200, 2, "test.csv");
  data::CsvTable syn = eval::testing::make_table(400, 3, "syn.csv");
  data::CsvTable aug = eval::testing::make_table(500, 4, "aug.csv");
  eval::EvalConfig c = eval::testing::test_config();
  c.attack_rows = 50;
  return to_json(eval::evaluate_tables(train, test, &syn, &aug, data::infer_schema(train), c));
}

TEST(ResultJson, RoundTripKeepsEveryValue) {
  const nlohmann::json j = small_json();
  EXPECT_EQ(j["format"], "meg-evaluation");
  EXPECT_EQ(j["format_version"], kEvaluationFormatVersion);
  const EvaluationResult r = evaluation_from_json(j);
  EXPECT_EQ(to_json(r), j);
  EXPECT_EQ(r.privacy->attacks.size(), 2u);
  EXPECT_EQ(r.lift->class_rows_train.size(), 2u);
  EXPECT_EQ(format_text(r), format_text(evaluation_from_json(to_json(r))));
}

TEST(ResultJson, AResultOfFormatVersionOneStillRenders) {
  // Written by meg before format_version 2 (car.csv, logistic regression and a 5-tree forest):
  // no task, attacks or column uses.
  std::ifstream in("tests/data/fixtures/evaluation_v1.json");
  ASSERT_TRUE(in) << "run from the repository root";
  std::stringstream ss;
  ss << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(ss.str());
  ASSERT_EQ(j["format_version"], 1);
  const EvaluationResult r = evaluation_from_json(j);
  EXPECT_EQ(r.task, EvaluationTask::Classification);
  EXPECT_TRUE(r.privacy->attacks.empty());
  ASSERT_TRUE(r.lift);
  const std::string text = format_text(r);
  EXPECT_NE(text.find("logistic_regression"), std::string::npos);
  EXPECT_EQ(text.find("membership"), std::string::npos);
  const std::string html = render_html(r);
  EXPECT_NE(html.find("<h2>Lift:"), std::string::npos);
  // Same numbers out: the v1 accuracy is the one shown.
  const double acc = j["utility"]["classifiers"][0]["tstr"]["accuracy"].get<double>();
  EXPECT_NE(text.find(fmt::format("{:.3f}", acc)), std::string::npos);
}

TEST(ResultJson, EditedResultsFailWithTheFieldNamed) {
  const nlohmann::json good = small_json();
  auto edited = [&](auto&& edit) {
    nlohmann::json j = good;
    edit(j);
    return eval::testing::data_error_of<InvalidArgument>(
        [&] { render_html(evaluation_from_json(j)); });
  };
  EXPECT_NE(edited([](nlohmann::json& j) {
              j["utility"].erase("classes");
            }).find("'utility.classes' is missing"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) {
              j["utility"]["classifiers"][0]["tstr"]["accuracy"] = "x";
            }).find("'utility.classifiers[0].tstr.accuracy' must be a number or null"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) {
              j["utility"]["classifiers"][1]["trtr"]["recall"] = {1};
            }).find("'utility.classifiers[1].trtr.recall' must have 2 entries"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) {
              j["fidelity"]["pairwise"]["train"].erase(0);
            }).find("'fidelity.pairwise.train' must have"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) {
              j["lift"]["class_rows"]["test"] = {1, 2, 3};
            }).find("'lift.class_rows.test' must have 2 entries"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) {
              j["fidelity"]["columns"][0]["chart"]["shares"][1] = {0.5};
            }).find("'fidelity.columns[0].chart.shares[1]' must have"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) { j["format_version"] = 3; }).find("format_version 3"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) { j.erase("privacy"); }).find("'privacy'"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) {
              j["inputs"]["train"]["rows"] = -4;
            }).find("'inputs.train.rows' must be a whole number >= 0"),
            std::string::npos);
  EXPECT_NE(edited([](nlohmann::json& j) {
              j["inputs"]["task"] = "clustering";
            }).find("'inputs.task' must be"),
            std::string::npos);
  // Removing an optional part or nulling a number still renders.
  nlohmann::json j = good;
  j["fidelity"].erase("detection");
  j["privacy"]["attacks"] = nlohmann::json::array();
  j["utility"]["classifiers"][0]["tstr"]["accuracy"] = nullptr;
  const EvaluationResult r = evaluation_from_json(j);
  EXPECT_NE(format_text(r).find("  -  "), std::string::npos);
  EXPECT_NE(render_html(r).find("<h2>Privacy</h2>"), std::string::npos);
}

TEST(ResultJson, RenderersRefuseAnInconsistentStruct) {
  EvaluationResult r = evaluation_from_json(small_json());
  r.utility->models[0].tstr.f1.pop_back();
  EXPECT_THROW(render_html(r), InvalidArgument);
  r = evaluation_from_json(small_json());
  r.fidelity.reset();
  EXPECT_THROW(render_html(r), InvalidArgument);
}

}  // namespace
}  // namespace meg::report
