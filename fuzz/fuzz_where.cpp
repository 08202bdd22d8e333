// libFuzzer target: `meg sample --where` condition parsing. Each input line is one
// condition (COL=VALUE, COL=LO..HI, '\=' and '\\' escapes in the column name), parsed
// against the codecs of a fixed table (text, integer, real and missing values, a
// column named "a=b"); for every accepted set, rows whose codes satisfy it are decoded
// with the conditions, and every decoded value must lie in one of its ranges (several
// conditions on a column allow any of them). Every failure
// must be a meg::Error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "data/codec.hpp"
#include "data/csv.hpp"
#include "data/schema.hpp"
#include "meg/error.hpp"

namespace {

const meg::data::CsvTable& table() {
  static const meg::data::CsvTable t = [] {
    std::string text = "name,age,score,city,a=b,back\\slash\n";
    for (int i = 0; i < 40; ++i) {
      text += "n" + std::to_string(i % 9) + "," + (i % 11 == 0 ? "" : std::to_string(18 + i)) +
              "," + std::to_string(i * 0.37 - 4) + "," + (i % 3 ? "Paris" : "Rome") + "," +
              (i % 2 ? "x" : "y") + "," + std::to_string(i % 4) + "\n";
    }
    return meg::data::parse_csv(text, "fixed.csv");
  }();
  return t;
}

const meg::data::TableCodec& codec() {
  static const meg::data::TableCodec c = [] {
    const auto& t = table();
    return meg::data::TableCodec::fit(t, meg::data::infer_schema(t), 7);
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> where(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      where.emplace_back();
    } else {
      where.back().push_back(static_cast<char>(data[i]));
    }
  }
  std::vector<meg::data::ColumnCondition> conditions;
  try {
    conditions = codec().parse_conditions(where);
  } catch (const meg::Error&) {
    return 0;
  }
  const size_t d = table().num_cols();
  std::vector<meg::data::Code> codes(d, 0);
  for (const auto& c : conditions) {
    if (c.column >= d || c.codes.empty()) std::abort();
    codes[c.column] = c.codes[size % c.codes.size()];
  }
  meg::core::Rng rng(size);
  std::string out;
  codec().decode_rows(codes.data(), 1, rng, out, conditions);
  // Decoded numbers of a range condition lie in the range.
  std::vector<std::string> cells;
  std::string cell;
  for (char ch : out) {
    if (ch == ',' || ch == '\n') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell.push_back(ch);
    }
  }
  if (cells.size() != d) std::abort();
  for (const auto& c : conditions) {
    if (!c.ranged() || cells[c.column].empty()) continue;
    char* end = nullptr;
    const double v = std::strtod(cells[c.column].c_str(), &end);
    bool inside = false;
    for (const auto& r : c.ranges) inside = inside || (v >= r.lo && v <= r.hi);
    if (*end == '\0' && !inside) std::abort();
  }
  return 0;
}
