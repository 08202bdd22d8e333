#include "dist/range_rows.hpp"

#include <algorithm>
#include <span>

#include "data/text_dict.hpp"
#include "dist/byte_io.hpp"
#include "meg/error.hpp"

namespace meg::dist {
namespace {

using CsvCodedColumn = data::CsvChunk::Coded;

constexpr size_t kChunkRows = 8192;

// Rows ahead whose index slot a column's lookups prefetch (a column of many distinct
// texts misses the cache at nearly every lookup otherwise).
constexpr size_t kLookAhead = 16;

}  // namespace

uint64_t RankRows::bytes() const {
  uint64_t n = line_steps.bytes();
  for (const auto& c : columns) n += c.arena.size() + c.ends.size() * 8 + c.ids.bytes();
  return n;
}

RankRows parse_rows(std::unique_ptr<data::ByteSource> source, const std::string& name,
                    uint64_t line_offset, char delimiter, const HeaderCheck& check,
                    std::vector<std::string>* header) {
  data::CsvReadOptions o;
  o.delimiter = delimiter;
  o.require_rows = false;  // a rank's range may hold no row; the total is checked
  o.line_offset = line_offset;
  data::CsvReader reader(std::move(source), name, o);
  *header = reader.header();
  if (check) check(name, *header);
  const size_t d = header->size();
  std::vector<data::TextDict> dicts(d);
  RankRows out;
  out.columns.resize(d);
  std::vector<data::Code> ids;
  std::vector<uint64_t> hashes;  // a chunk's texts' hashes in one column
  data::CsvChunk chunk;
  uint64_t last = 0;
  while (reader.next(chunk)) {
    const size_t n = chunk.num_rows();
    if (out.rows == 0) last = out.first_line = chunk.line(0);
    ids.resize(n);
    for (size_t r = 0; r < n; ++r) {
      const uint64_t step = chunk.line(r) - last;
      if (step > UINT32_MAX) throw DataError(name + ": more than 2^32 lines between two rows");
      ids[r] = static_cast<data::Code>(step);
      last = chunk.line(r);
    }
    out.line_steps.append(std::span<const data::Code>(ids.data(), n));
    out.rows += n;
    hashes.resize(n);
    for (size_t c = 0; c < d; ++c) {
      bool added = false;
      data::TextDict& dict = dicts[c];
      for (size_t r = 0; r < n; ++r) hashes[r] = data::hash_text(chunk.field(r, c));
      for (size_t r = 0; r < n; ++r) {
        if (r + kLookAhead < n) dict.prefetch(hashes[r + kLookAhead]);
        ids[r] = dict.find_or_add(chunk.field(r, c), hashes[r], &added);
      }
      out.columns[c].ids.append(std::span<const data::Code>(ids.data(), n));
    }
  }
  for (size_t c = 0; c < d; ++c) {
    auto& col = out.columns[c];
    for (uint32_t id = 0; id < dicts[c].size(); ++id) {
      col.arena.append(dicts[c].text(id));
      col.ends.push_back(col.arena.size());
    }
    dicts[c] = data::TextDict();
  }
  return out;
}

std::vector<char> pack(const RankRows& rows) {
  Writer w;
  w.out.reserve(rows.bytes() + 64 * rows.columns.size() + 64);
  w.u64(rows.rows);
  w.u64(rows.columns.size());
  w.u64(rows.first_line);
  w.codes(rows.line_steps);
  for (const auto& c : rows.columns) {
    w.u64(c.ends.size());
    w.u64(c.arena.size());
    w.put(c.ends.data(), c.ends.size() * 8);
    w.put(c.arena.data(), c.arena.size());
    w.codes(c.ids);
  }
  return std::move(w.out);
}

RankRows unpack(std::span<const char> bytes) {
  Reader r(bytes);
  RankRows out;
  out.rows = r.u64();
  const uint64_t d = r.u64();
  out.first_line = r.u64();
  out.line_steps = r.codes(out.rows);
  out.columns.resize(d);
  for (auto& c : out.columns) {
    c.ends.resize(r.u64());
    c.arena.resize(r.u64());
    r.get(c.ends.data(), c.ends.size() * 8);
    r.get(c.arena.data(), c.arena.size());
    c.ids = r.codes(out.rows);
  }
  return out;
}

GatheredRows::GatheredRows(std::string name, std::vector<std::string> header,
                           std::vector<RankRows> parts)
    : name_(std::move(name)), header_(std::move(header)), parts_(std::move(parts)) {
  texts_.resize(parts_.size());
  for (size_t p = 0; p < parts_.size(); ++p) {
    for (const RankRows::Column& col : parts_[p].columns) {
      auto& views = texts_[p].emplace_back(col.ends.size());
      for (size_t id = 0; id < views.size(); ++id) views[id] = col.text(id);
    }
  }
  rewind();
}

uint64_t GatheredRows::total_rows() const {
  uint64_t n = 0;
  for (const auto& p : parts_) n += p.rows;
  return n;
}

std::vector<RankRows> GatheredRows::take_parts() {
  std::vector<RankRows> parts = std::move(parts_);
  parts_.clear();
  texts_.clear();
  rewind();
  return parts;
}

void GatheredRows::rewind() {
  part_ = 0;
  row_ = rows_ = 0;
  line_ = parts_.empty() ? 0 : parts_[0].first_line;
}

bool GatheredRows::next(data::CsvChunk& chunk) {
  const size_t d = header_.size();
  chunk.reset(d, rows_);
  while (part_ < parts_.size() && parts_[part_].rows <= row_) {  // the next part with rows
    ++part_;
    row_ = 0;
    if (part_ < parts_.size()) line_ = parts_[part_].first_line;
  }
  if (part_ < parts_.size()) {  // a chunk of this part's rows
    const RankRows& part = parts_[part_];
    const size_t m = static_cast<size_t>(std::min<uint64_t>(kChunkRows, part.rows - row_));
    chunk.coded.resize(d);
    for (size_t c = 0; c < d; ++c) {
      const RankRows::Column& col = part.columns[c];
      CsvCodedColumn& coded = chunk.coded[c];
      coded.texts = texts_[part_][c].data();
      coded.size = texts_[part_][c].size();
      coded.ids.resize(m);
      col.ids.visit([&](auto ids) {
        for (size_t i = 0; i < m; ++i) coded.ids[i] = static_cast<uint32_t>(ids[row_ + i]);
      });
    }
    part.line_steps.visit([&](auto steps) {
      for (size_t i = 0; i < m; ++i) {
        line_ += steps[row_ + i];
        chunk.add_coded_row(line_);
      }
    });
    row_ += m;
  }
  rows_ += chunk.num_rows();
  return chunk.num_rows() > 0;
}

}  // namespace meg::dist
