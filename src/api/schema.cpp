#include "meg/schema.hpp"

#include "data/schema.hpp"
#include "data/table_builder.hpp"

namespace meg {

nlohmann::ordered_json infer_schema(const std::string& csv_path, const std::string& schema_path,
                                    const ProgressFn& progress) {
  data::BuildOptions b;
  b.encode = false;  // the schema and codecs only: no codes are kept
  b.seed = 0;
  b.progress = progress;
  nlohmann::json overrides;
  if (!schema_path.empty()) {
    overrides = data::read_schema_file(schema_path);
    b.overrides = [&](const data::Schema& s) {
      return data::apply_schema_overrides(s, overrides, schema_path);
    };
  }
  // Fitting the encoders validates overrides against the data (e.g. a text
  // column declared integer) and tells how many codes each column gets.
  const data::BuiltTable table = data::build_table(csv_path, b);
  nlohmann::ordered_json j;
  j["source"] = table.source;
  j["rows"] = table.rows;
  const nlohmann::ordered_json inferred = data::schema_to_json(table.schema);
  for (auto it = inferred.begin(); it != inferred.end(); ++it) j[it.key()] = it.value();
  for (size_t c = 0; c < table.codec.num_cols(); ++c) {
    auto& col = j["columns"][c];
    const char* key =
        table.schema.columns[c].type == data::ColumnType::Categorical ? "levels" : "codes";
    col[key] = table.codec.column(c).cardinality();
  }
  return j;
}

}  // namespace meg
