#include <gtest/gtest.h>

#include <string>

#include "data/csv.hpp"
#include "data/schema.hpp"
#include "meg/error.hpp"

using meg::data::ColumnType;
using meg::data::CsvTable;
using meg::data::read_csv;
using meg::data::Schema;

namespace {

const CsvTable& adult() {
  static const CsvTable t = read_csv("data/adult_train.csv");
  return t;
}

const meg::data::ColumnSchema& col(const Schema& s, const std::string& name) {
  int i = s.column_index(name);
  EXPECT_GE(i, 0) << name;
  return s.columns.at(static_cast<size_t>(i));
}

}  // namespace

TEST(Schema, AdultTypesAndMissingCounts) {
  Schema s = infer_schema(adult());
  ASSERT_EQ(s.columns.size(), 15u);
  for (const char* name : {"age", "fnlwgt", "capital_gain", "capital_loss", "hours_per_week"}) {
    EXPECT_EQ(col(s, name).type, ColumnType::Integer) << name;
  }
  for (const char* name : {"workclass", "education", "marital_status", "occupation", "relationship",
                           "race", "sex", "native_country", "income"}) {
    EXPECT_EQ(col(s, name).type, ColumnType::Categorical) << name;
  }
  // 16 integer levels <= the low-cardinality limit of 20: kept exact as categorical.
  EXPECT_EQ(col(s, "education_num").type, ColumnType::Categorical);
  EXPECT_EQ(col(s, "education_num").distinct, 16u);
  EXPECT_EQ(col(s, "workclass").missing, 1836u);
  EXPECT_EQ(col(s, "occupation").missing, 1843u);
  EXPECT_EQ(col(s, "native_country").missing, 583u);
  EXPECT_EQ(col(s, "age").missing, 0u);
  EXPECT_EQ(col(s, "fnlwgt").distinct, 21648u);
}

TEST(Schema, ContinuousAndLowCardinalityRule) {
  CsvTable t = meg::data::parse_csv("x,y,z\n1.5,1,a\n2.25,2,b\n3,3,c\n", "t.csv");
  meg::data::InferOptions opt;
  opt.max_categorical_numeric = 2;
  Schema s = infer_schema(t, opt);
  EXPECT_EQ(s.columns[0].type, ColumnType::Continuous);
  EXPECT_EQ(s.columns[1].type, ColumnType::Integer);
  EXPECT_EQ(s.columns[2].type, ColumnType::Categorical);
  opt.max_categorical_numeric = 3;
  EXPECT_EQ(infer_schema(t, opt).columns[0].type, ColumnType::Categorical);
}

TEST(Schema, JsonRoundTripAndOverrides) {
  Schema s = infer_schema(adult());
  nlohmann::json j = nlohmann::json::parse(schema_to_json(s).dump());
  Schema again = apply_schema_overrides(s, j, "same.json");
  EXPECT_EQ(schema_to_json(again), schema_to_json(s));

  nlohmann::json o = nlohmann::json::parse(R"({"columns": [
      {"name": "education_num", "type": "integer", "bins": 8},
      {"name": "age", "discretizer": "dpgmm", "decode": "uniform"},
      {"name": "workclass", "missing_tokens": []}]})");
  Schema changed = apply_schema_overrides(s, o, "o.json");
  EXPECT_EQ(col(changed, "education_num").type, ColumnType::Integer);
  EXPECT_EQ(col(changed, "education_num").bins, 8);
  EXPECT_EQ(col(changed, "age").discretizer, meg::data::DiscretizerKind::Dpgmm);
  EXPECT_EQ(col(changed, "age").decode, meg::data::NumericDecode::Uniform);
  EXPECT_TRUE(col(changed, "workclass").missing_tokens.empty());
  EXPECT_EQ(col(changed, "income").type, ColumnType::Categorical);  // untouched
}

TEST(Schema, BadOverridesNameTheFileAndColumn) {
  Schema s = infer_schema(adult());
  auto message = [&](const char* text) -> std::string {
    try {
      apply_schema_overrides(s, nlohmann::json::parse(text), "s.json");
    } catch (const meg::DataError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message(R"({"columns": [{"name": "salary"}]})"),
            "s.json: column 'salary': no such column in the data");
  EXPECT_NE(message(R"({"columns": [{"name": "age", "type": "text"}]})")
                .find("s.json: column 'age': type: invalid value \"text\""),
            std::string::npos);
  EXPECT_NE(
      message(R"({"columns": [{"name": "age", "colour": 1}]})").find("unknown field 'colour'"),
      std::string::npos);
  EXPECT_NE(message(R"({"colums": []})").find("unknown key 'colums'"), std::string::npos);
  EXPECT_NE(message(R"({"columns": [{"name": "age", "bins": 0}]})").find("bins"),
            std::string::npos);
}

TEST(Schema, SchemaFileErrors) {
  Schema s = infer_schema(adult());
  EXPECT_THROW(load_schema_file(s, "tests/data/fixtures/none.json"), meg::IoError);
  try {
    load_schema_file(s, "tests/data/fixtures/quoted_crlf.csv");
    FAIL();
  } catch (const meg::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("quoted_crlf.csv:1:"), std::string::npos) << e.what();
  }
}
