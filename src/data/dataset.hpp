// The encoded table every model works on: column-major integer codes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace meg::data {

using Code = uint32_t;

struct EncodedDataset {
  std::vector<std::string> names;          // column names, in table order
  std::vector<uint32_t> cardinality;       // codes of column c are in [0, cardinality[c])
  std::vector<std::vector<Code>> columns;  // columns[c][row]

  size_t num_cols() const { return columns.size(); }
  size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }

  // The rows listed (in that order), all columns.
  EncodedDataset subset(const std::vector<size_t>& rows) const {
    EncodedDataset out;
    out.names = names;
    out.cardinality = cardinality;
    out.columns.resize(columns.size());
    for (size_t c = 0; c < columns.size(); ++c) {
      out.columns[c].reserve(rows.size());
      for (size_t r : rows) out.columns[c].push_back(columns[c][r]);
    }
    return out;
  }
};

}  // namespace meg::data
