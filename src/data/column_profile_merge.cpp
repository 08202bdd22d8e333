// A column profile's part of the table, and the exact merge of parts: each process of a
// distributed fit profiles its own rows, and the parts, taken in row order, give the
// profile (and codes) one pass over the whole table gives.
#include <algorithm>

#include "data/column_profile.hpp"

namespace meg::data {

ProfilePart ColumnProfile::part() const {
  ProfilePart p;
  p.rows = rows_;
  p.texts.reserve(dict_.size());
  p.counts.reserve(dict_.size());
  for (uint32_t id = 0; id < dict_.size(); ++id) {
    p.texts.push_back(dict_.text(id));
    p.counts.push_back(dict_.count(id));
  }
  p.token_lines = token_first_line_;
  return p;
}

bool ColumnProfile::take_part(const ProfilePart& part, std::vector<uint32_t>* ids) {
  if (!mergeable() || part.counts.size() != part.texts.size() ||
      part.token_lines.size() != tokens_.size()) {
    return false;
  }
  // add_cells' order of events at each text's first cell (the rows between two first
  // appearances only add counts and sample rows).
  const size_t switch_at = std::max(plan_.limits.exact_distinct, plan_.max_categorical_numeric);
  ids->resize(part.texts.size());
  for (size_t i = 0; i < part.texts.size(); ++i) {
    const std::string_view text = part.texts[i];
    bool added = false;
    const uint32_t id = dict_.find_or_add(text, &added);
    if (added) {
      const int u = token_index(text);
      CellError error;
      if (!on_new_text(text, u < 0 ? 0 : part.token_lines[u], rows_, &error)) {
        stopped_ = true;
        return false;
      }
      if (sampling_ && dict_.size() > switch_at) {
        stopped_ = true;  // one pass switches to sampled mode here
        return false;
      }
    }
    dict_.add_count(id, part.counts[i]);
    (*ids)[i] = id;
  }
  std::vector<Sampled>().swap(sample_);
  rows_ += part.rows;
  return true;
}

CodeColumn ColumnProfile::mapped_codes(const std::vector<uint32_t>& ids,
                                       uint64_t cardinality) const {
  CodeColumn out(cardinality, rows_);
  out.visit_mut([&](auto codes) {
    using T = typename decltype(codes)::value_type;
    size_t row = 0;
    for (const CodeColumn& block : temp_) {
      block.visit([&](auto local) {
        for (auto id : local) codes[row++] = static_cast<T>(ids[id]);
      });
    }
  });
  return out;
}

void ColumnProfile::append_codes(CodeColumn codes) {
  if (plan_.keep_codes && !codes.empty()) temp_.push_back(std::move(codes));
}

}  // namespace meg::data
