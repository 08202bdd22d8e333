#include "meg/schema.hpp"

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"

namespace meg {

nlohmann::ordered_json infer_schema(const std::string& csv_path, const std::string& schema_path) {
  data::CsvTable table = data::read_csv(csv_path);
  data::Schema schema = data::infer_schema(table);
  if (!schema_path.empty()) schema = data::load_schema_file(schema, schema_path);
  // Fitting the encoders validates overrides against the data (e.g. a text
  // column declared integer) and tells how many codes each column gets.
  data::TableCodec codec = data::TableCodec::fit(table, schema, 0);
  nlohmann::ordered_json j;
  j["source"] = table.source;
  j["rows"] = table.num_rows();
  const nlohmann::ordered_json inferred = data::schema_to_json(schema);
  for (auto it = inferred.begin(); it != inferred.end(); ++it) j[it.key()] = it.value();
  for (size_t c = 0; c < codec.num_cols(); ++c) {
    auto& col = j["columns"][c];
    const char* key = schema.columns[c].type == data::ColumnType::Categorical ? "levels" : "codes";
    col[key] = codec.column(c).cardinality();
  }
  return j;
}

}  // namespace meg
