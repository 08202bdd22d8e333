// libFuzzer target: the JSON schema-override parser, applied to a fixed small
// table, followed by the codec fit it drives (types, bins, discretisers).
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "meg/error.hpp"

namespace {

const meg::data::CsvTable& table() {
  static const meg::data::CsvTable t = meg::data::parse_csv(
      "name,age,score,city,flag\n"
      "a,31,1.5,Paris,1\n"
      "b,45,2.25,Rome,0\n"
      "c,,NaN,Paris,1\n"
      "d,19,-3,?,0\n"
      "e,62,1e300,Oslo,1\n"
      "f,33,7.125,Rome,NA\n",
      "fixed.csv");
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  try {
    const auto& t = table();
    meg::data::Schema schema =
        meg::data::apply_schema_overrides(meg::data::infer_schema(t), j, "fuzz.json");
    meg::data::TableCodec codec = meg::data::TableCodec::fit(t, schema, 3);
    codec.encode(t);
    meg::data::schema_to_json(schema);
  } catch (const meg::Error&) {
  }
  return 0;
}
