// libFuzzer target: the CSV reader, then schema inference and the table codec
// on whatever parses (so every accepted table is also encoded and decoded); and
// the streaming path (TableBuilder) with block and chunk sizes taken from the
// input, which must give the in-memory path's error, or its schema, codecs and
// codes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/rng.hpp"
#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "data/table_builder.hpp"
#include "meg/error.hpp"

namespace {

// What the in-memory path gives: its error, or the schema, the codecs and the codes.
std::string in_memory(std::string_view text) {
  try {
    const meg::data::CsvTable table = meg::data::parse_csv(text, "fuzz.csv");
    const meg::data::Schema schema = meg::data::infer_schema(table);
    const meg::data::TableCodec codec = meg::data::TableCodec::fit(table, schema, 1);
    std::string out = meg::data::schema_to_json(schema).dump() + codec.to_json().dump();
    for (const auto& col : codec.encode(table).columns) {
      for (auto code : col.to_vector()) out += std::to_string(code) + ",";
    }
    return out;
  } catch (const meg::Error& e) {
    return std::string("error: ") + e.what();
  }
}

std::string streamed(std::string_view text, size_t block, size_t rows) {
  meg::data::BuildOptions o;
  o.read.block_bytes = block;
  o.read.chunk_rows = rows;
  o.seed = 1;
  o.threads = 1;
  try {
    const auto t = meg::data::build_table(meg::data::memory_source(text), "fuzz.csv", o);
    std::string out = meg::data::schema_to_json(t.schema).dump() + t.codec.to_json().dump();
    for (const auto& col : t.data.columns) {
      for (auto code : col.to_vector()) out += std::to_string(code) + ",";
    }
    return out;
  } catch (const meg::Error& e) {
    return std::string("error: ") + e.what();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t block = 1 + (size > 0 ? data[size - 1] % 17 : 0);
  const size_t rows = 1 + (size > 1 ? data[size - 2] % 5 : 0);
  if (streamed(text, block, rows) != in_memory(text)) __builtin_trap();
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
