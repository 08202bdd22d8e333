#include "bn/class_blocks.hpp"

#include <limits>

#include "meg/error.hpp"

namespace meg::bn {

ClassBlocks::ClassBlocks(const KdbLayout& layout, const std::vector<uint32_t>& counts,
                         std::vector<uint32_t> classes)
    : num_classes_(layout.num_classes()), classes_(std::move(classes)) {
  const size_t num_groups = layout.num_groups();
  if (counts.size() != num_groups) throw InvalidArgument("kdb: wrong number of class lists");
  constexpr uint64_t kMaxCells = std::numeric_limits<int32_t>::max();
  uint64_t blocks = 0, cells = 0;
  for (size_t g = 0; g < num_groups; ++g) {
    if (counts[g] > num_classes_) throw InvalidArgument("kdb: too many classes in a group");
    blocks += counts[g];
    cells += uint64_t{counts[g]} * layout.group_size(g);
    if (cells > kMaxCells) throw InvalidArgument("kdb: too many parameters for one unit");
  }
  if (blocks != classes_.size()) throw InvalidArgument("kdb: class lists have the wrong size");
  for (size_t f = 0; f < layout.num_features(); ++f) {
    const size_t g0 = static_cast<size_t>(layout.feature(f).levels[0].first_group());
    if (counts[g0] != num_classes_) throw InvalidArgument("kdb: level 0 must store every class");
  }
  begin_.resize(num_groups + 1);
  group_.resize(classes_.size());
  offset_.resize(classes_.size() + 1);
  uint32_t b = 0, cell = 0;
  for (size_t g = 0; g < num_groups; ++g) {
    begin_[g] = b;
    const uint32_t r = layout.group_size(g);
    for (uint32_t i = 0; i < counts[g]; ++i, ++b) {
      if (classes_[b] >= num_classes_ || (i > 0 && classes_[b - 1] >= classes_[b])) {
        throw InvalidArgument("kdb: class lists out of range or unsorted");
      }
      group_[b] = static_cast<int32_t>(g);
      offset_[b] = cell;
      cell += r;
    }
    if (g + 1 == layout.trainable_groups()) trainable_blocks_ = b;
  }
  begin_[num_groups] = b;
  offset_[b] = cell;
  if (layout.trainable_groups() == 0) trainable_blocks_ = 0;
}

std::vector<uint32_t> ClassBlocks::counts() const {
  std::vector<uint32_t> out(begin_.empty() ? 0 : begin_.size() - 1);
  for (size_t g = 0; g < out.size(); ++g) out[g] = begin_[g + 1] - begin_[g];
  return out;
}

size_t ClassBlocks::index_bytes() const {
  return (begin_.size() + classes_.size() + group_.size() + offset_.size()) * sizeof(uint32_t);
}

}  // namespace meg::bn
