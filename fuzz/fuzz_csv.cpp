// libFuzzer target: the CSV reader, then schema inference and the table codec
// on whatever parses (so every accepted table is also encoded and decoded).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/rng.hpp"
#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "meg/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    meg::data::CsvTable table = meg::data::parse_csv(text, "fuzz.csv");
    std::string round = meg::data::format_csv(table);
    meg::data::CsvTable again = meg::data::parse_csv(round, "round.csv");
    if (again.header != table.header || again.columns != table.columns) __builtin_trap();
    meg::data::Schema schema = meg::data::infer_schema(table);
    meg::data::TableCodec codec = meg::data::TableCodec::fit(table, schema, 1);
    meg::data::EncodedDataset ds = codec.encode(table);
    std::vector<meg::data::Code> codes;
    for (size_t r = 0; r < ds.num_rows() && r < 8; ++r) {
      for (size_t c = 0; c < ds.num_cols(); ++c) codes.push_back(ds.columns[c][r]);
    }
    meg::core::Rng rng(2);
    std::string out;
    codec.decode_rows(codes.data(), codes.size() / std::max<size_t>(1, ds.num_cols()), rng, out);
    meg::data::TableCodec::from_json(codec.to_json());
  } catch (const meg::Error&) {
    // A clear error is the expected outcome for bad input.
  }
  return 0;
}
