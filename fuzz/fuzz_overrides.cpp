// libFuzzer target: the schema-override path as `meg fit --schema` and
// Model::fit_csv_text run it. The input is a CSV and a schema text, split at the
// first NUL byte ("CSV\0JSON"; no NUL: the JSON alone, on a fixed table). The JSON
// goes through parse_json_text (nesting limit, positions) and the overrides drive
// the streaming build (profiles, codecs, codes) of that CSV. Every failure must be a
// meg::Error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "data/csv_reader.hpp"
#include "data/schema.hpp"
#include "data/table_builder.hpp"
#include "meg/error.hpp"

namespace {

constexpr std::string_view kTable =
    "name,age,score,city,flag,a=b\n"
    "a,31,1.5,Paris,1,x\n"
    "b,45,2.25,Rome,0,y\n"
    "c,,NaN,Paris,1,x\n"
    "d,19,-3,?,0,\n"
    "e,62,1e300,Oslo,1,y\n"
    "f,33,7.125,Rome,NA,x\n"
    "g,12345678901234567,0.1234567890123456789012345678901234,Oslo,1,z\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view csv = nul == std::string_view::npos ? kTable : input.substr(0, nul);
  const std::string_view json = nul == std::string_view::npos ? input : input.substr(nul + 1);
  try {
    const nlohmann::json overrides = meg::core::parse_json_text(json, "fuzz.json");
    meg::data::BuildOptions b;
    b.threads = 1;
    b.read.block_bytes = 1 + size % 61;  // small blocks and chunks: resumable states
    b.read.chunk_rows = 1 + size % 5;
    b.overrides = [&](const meg::data::Schema& s) {
      return meg::data::apply_schema_overrides(s, overrides, "fuzz.json");
    };
    const meg::data::BuiltTable t =
        meg::data::build_table(meg::data::memory_source(csv), "fuzz.csv", b);
    (void)meg::data::schema_to_json(t.schema).dump();
  } catch (const meg::Error&) {
  }
  return 0;
}
