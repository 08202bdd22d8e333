#include "dist/merged_profiles.hpp"

#include <exception>
#include <memory>
#include <new>

#include "dist/byte_io.hpp"
#include "dist/comm.hpp"

namespace meg::dist {
namespace {

// This rank's profiles as one message: a flag (1: every column exact, with no refused
// cell), then per column its rows, texts, token lines, counts, text ends and texts.
std::vector<char> pack_summaries(const Profiles& profiles, bool ok) {
  Writer w;
  w.u64(ok ? 1 : 0);
  if (!ok) return std::move(w.out);
  for (const auto& profile : profiles) {
    const data::ProfilePart part = profile->part();
    w.u64(part.rows);
    w.u64(part.texts.size());
    w.u64(part.token_lines.size());
    w.put(part.token_lines.data(), part.token_lines.size() * 8);
    w.put(part.counts.data(), part.counts.size() * 8);
    std::vector<uint64_t> ends;
    std::string arena;
    for (const auto text : part.texts) {
      arena.append(text);
      ends.push_back(arena.size());
    }
    w.put(ends.data(), ends.size() * 8);
    w.put(arena.data(), arena.size());
  }
  return std::move(w.out);
}

// A rank's summaries (pack_summaries), one part a column; false when it could not profile.
struct Summaries {
  std::vector<data::ProfilePart> parts;
  std::vector<std::string> arenas;  // what the parts' texts view
};

bool unpack_summaries(const std::vector<char>& bytes, size_t d, Summaries* out) {
  Reader r(bytes);
  if (r.u64() != 1) return false;
  out->parts.resize(d);
  out->arenas.resize(d);
  for (size_t c = 0; c < d; ++c) {
    data::ProfilePart& part = out->parts[c];
    part.rows = r.u64();
    const uint64_t texts = r.u64();
    part.token_lines.resize(r.u64());
    r.get(part.token_lines.data(), part.token_lines.size() * 8);
    part.counts.resize(texts);
    r.get(part.counts.data(), texts * 8);
    std::vector<uint64_t> ends(texts);
    r.get(ends.data(), texts * 8);
    std::string& arena = out->arenas[c];
    arena.resize(texts == 0 ? 0 : ends.back());
    r.get(arena.data(), arena.size());
    uint64_t begin = 0;
    for (uint64_t end : ends) {
      if (end < begin || end > arena.size())
        throw Error("distributed fit: a rank's profile is garbled");
      part.texts.emplace_back(arena.data() + begin, end - begin);
      begin = end;
    }
  }
  return true;
}

}  // namespace

std::optional<Profiles> merge_profiles(const std::string& name,
                                       const std::vector<std::string>& header,
                                       std::vector<RankRows>& mine,
                                       const data::BuildOptions& options, uint64_t* sent) {
  const size_t d = header.size();
  // This rank's profiles. A cell the schema refuses (or any error of the profiles) is
  // reported by the one-pass build of the gathered rows, in the single-process order.
  Profiles local;
  bool ok = true;
  {
    GatheredRows rows(name, header, std::move(mine));
    try {
      data::BuildOptions o = options;
      o.progress = nullptr;
      local = data::profile_rows(rows, o);
      for (const auto& profile : local) ok = ok && profile->mergeable();
    } catch (const std::bad_alloc&) {
      throw;
    } catch (...) {
      ok = false;
    }
    mine = rows.take_parts();
  }
  std::vector<std::vector<char>> every;
  {
    const std::vector<char> bytes = pack_summaries(local, ok);
    every = allgather_bytes(bytes);
  }
  for (const auto& part : every) *sent += part.size();

  // The merge, on every rank from the same summaries: every rank decides alike.
  Profiles merged;
  for (const auto& plan : data::column_plans(name, header, options)) {
    merged.push_back(std::make_unique<data::ColumnProfile>(plan));
  }
  std::vector<std::vector<uint32_t>> my_ids(d);  // this rank's text ids -> merged ids
  std::vector<uint64_t> rows_of(every.size(), 0);
  for (size_t r = 0; r < every.size(); ++r) {
    Summaries s;
    if (!unpack_summaries(every[r], d, &s)) return std::nullopt;
    every[r] = {};
    rows_of[r] = d == 0 ? 0 : s.parts[0].rows;
    std::vector<uint32_t> ids;
    for (size_t c = 0; c < d; ++c) {
      if (!merged[c]->take_part(s.parts[c], &ids)) return std::nullopt;
      if (static_cast<int>(r) == rank()) my_ids[c] = std::move(ids);
    }
  }
  mine.clear();  // merged: the rows are no longer needed
  // Every rank's codes, a block a rank and column in the width the merged texts need
  // (every rank knows each block's rows and width): this rank's blocks are its mapped
  // codes, the others' are received in place.
  const size_t p = every.size();
  std::vector<std::vector<data::CodeColumn>> blocks(p);
  std::vector<std::span<char>> parts;
  std::vector<int> owner;
  for (size_t r = 0; r < p; ++r) {
    for (size_t c = 0; c < d; ++c) {
      if (static_cast<int>(r) == rank()) {
        blocks[r].push_back(local[c]->mapped_codes(my_ids[c], merged[c]->texts()));
        local[c].reset();
      } else {
        blocks[r].emplace_back(merged[c]->texts(), rows_of[r]);
      }
      blocks[r].back().visit_mut([&](auto codes) {
        parts.emplace_back(reinterpret_cast<char*>(codes.data()), codes.size_bytes());
      });
      owner.push_back(static_cast<int>(r));
    }
  }
  allgather_into(parts, owner);
  for (size_t r = 0; r < p; ++r) {
    for (size_t c = 0; c < d; ++c) {
      *sent += blocks[r][c].bytes();
      merged[c]->append_codes(std::move(blocks[r][c]));
    }
  }
  return merged;
}

}  // namespace meg::dist
