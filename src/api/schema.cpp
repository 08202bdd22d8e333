#include "meg/schema.hpp"

#include "data/csv.hpp"
#include "data/schema.hpp"

namespace meg {

nlohmann::json infer_schema(const std::string& csv_path, const std::string& schema_path) {
  data::CsvTable table = data::read_csv(csv_path);
  data::Schema schema = data::infer_schema(table);
  if (!schema_path.empty()) schema = data::load_schema_file(schema, schema_path);
  return data::schema_to_json(schema);
}

}  // namespace meg
