// Which (group, class) distributions of a kDB are stored, and where.
//
// With hierarchical smoothing, theta(x | pi, c) = (n(x, pi, c) + m P_{j-1}(x | pi', c)) /
// (n(pi, c) + m) is exactly the back-off distribution when n(pi, c) = 0 (Laplace mode
// backs off the same way), so such a block is not stored: a lookup walks down to the
// parent group, as it does for a configuration never seen at all. A *block* is the
// distribution over the r values of one feature for one (group, class); the blocks of
// group g hold its stored classes in ascending order and are numbered contiguously
// [begin(g), begin(g + 1)). Level-0 groups (P(x | c)) store every class, so every
// lookup ends. Blocks of the trainable (full-level) groups come first.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bn/kdb_layout.hpp"

namespace meg::bn {

class ClassBlocks {
 public:
  ClassBlocks() = default;
  // counts[g] = number of stored classes of group g; classes = their class ids, group by
  // group, ascending within a group. Throws InvalidArgument if they do not fit the layout
  // (sizes, order, range, a level-0 group missing a class, too many cells).
  ClassBlocks(const KdbLayout& layout, const std::vector<uint32_t>& counts,
              std::vector<uint32_t> classes);

  // Block of (group g, class c), or -1 if that distribution is not stored.
  int32_t find(size_t g, uint32_t c) const {
    const uint32_t lo = begin_[g], hi = begin_[g + 1];
    if (hi - lo == num_classes_) return static_cast<int32_t>(lo + c);  // every class stored
    uint32_t a = lo, b = hi;
    while (a < b) {
      const uint32_t mid = (a + b) / 2;
      if (classes_[mid] < c)
        a = mid + 1;
      else
        b = mid;
    }
    return a < hi && classes_[a] == c ? static_cast<int32_t>(a) : -1;
  }
  // Block of (g, c) after back-off: the deepest stored level at or below g.
  int32_t resolve(const KdbLayout& layout, int32_t g, uint32_t c) const {
    int32_t b;
    while ((b = find(static_cast<size_t>(g), c)) < 0)
      g = layout.parent_group(static_cast<size_t>(g));
    return b;
  }

  size_t num_blocks() const { return classes_.size(); }
  uint32_t begin(size_t g) const { return begin_[g]; }
  uint32_t block_class(size_t b) const { return classes_[b]; }
  int32_t block_group(size_t b) const { return group_[b]; }
  // Cells (one per value) of block b are [offset(b), offset(b + 1)).
  uint32_t offset(size_t b) const { return offset_[b]; }
  uint32_t block_size(size_t b) const { return offset_[b + 1] - offset_[b]; }
  size_t trainable_blocks() const { return trainable_blocks_; }
  size_t trainable_cells() const { return offset_[trainable_blocks_]; }
  size_t total_cells() const { return offset_.back(); }
  const std::vector<uint32_t>& classes() const { return classes_; }
  std::vector<uint32_t> counts() const;
  // Bytes of the index itself (not the parameters).
  size_t index_bytes() const;

 private:
  uint32_t num_classes_ = 0;
  std::vector<uint32_t> begin_;    // num_groups + 1
  std::vector<uint32_t> classes_;  // per block
  std::vector<int32_t> group_;     // per block
  std::vector<uint32_t> offset_;   // num_blocks + 1
  size_t trainable_blocks_ = 0;
};

}  // namespace meg::bn
