#include "bn/alias_table.hpp"

#include <algorithm>
#include <cmath>

#include "meg/error.hpp"

namespace meg::bn {

const AliasEntry* AliasBuilder::build(const double* p, uint32_t r) {
  double total = 0.0;
  for (uint32_t i = 0; i < r; ++i) total += p[i];
  scaled_.resize(r);
  out_.resize(r);
  // The small and large lists are stacks in arrays of r (an index is in at most one):
  // the same pushes and pops as std::vector's push_back and pop_back, without their checks.
  small_.resize(r);
  large_.resize(r);
  double* scaled = scaled_.data();
  uint32_t* small = small_.data();
  uint32_t* large = large_.data();
  AliasEntry* out = out_.data();
  uint32_t ns = 0, nl = 0;
  for (uint32_t i = 0; i < r; ++i) {
    scaled[i] = p[i] * r / total;
    const bool is_small = scaled[i] < 1.0;
    small[ns] = i;
    large[nl] = i;
    ns += is_small ? 1 : 0;
    nl += is_small ? 0 : 1;
    out[i] = {1.0f, i};
  }
  while (ns > 0 && nl > 0) {
    const uint32_t s = small[--ns], l = large[nl - 1];
    out[s] = {static_cast<float>(scaled[s]), l};
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      --nl;
      small[ns++] = l;
    }
  }
  for (uint32_t k = 0; k < nl; ++k) out[large[k]].prob = 1.0f;
  for (uint32_t k = 0; k < ns; ++k) out[small[k]].prob = 1.0f;  // rounding leftovers
  return out;
}

uint32_t alias_threshold(float prob) {
  const double x = static_cast<double>(prob) * 0x1.0p24;  // exact
  if (!(x > 0.0)) return 0;
  return x >= 0x1.0p24 ? 1u << 24 : static_cast<uint32_t>(std::ceil(x));
}

AliasTables::AliasTables(size_t cells, size_t wide_cells) : packed_(cells) {
  wide_.reserve(wide_cells);
}

void AliasTables::set(size_t base, const double* p, uint32_t r) {
  if (wide(r)) place_wide(base, r);
  fill(base, p, r, builder_);
}

void AliasTables::place_wide(size_t base, uint32_t r) {
  if (wide_.size() > UINT32_MAX - r) throw InvalidArgument("alias: too many wide tables");
  packed_[base] = static_cast<uint32_t>(wide_.size());
  wide_.resize(wide_.size() + r);
}

void AliasTables::fill(size_t base, const double* p, uint32_t r, AliasBuilder& builder) {
  const AliasEntry* t = builder.build(p, r);
  if (r > kMaxPacked) {
    std::copy(t, t + r, wide_.begin() + packed_[base]);
    return;
  }
  for (uint32_t j = 0; j < r; ++j) {
    uint32_t threshold = alias_threshold(t[j].prob);
    uint32_t alias = t[j].alias;
    if (threshold == 1u << 24) {  // always keeps j: make j its own alias
      threshold = 0;
      alias = j;
    }
    packed_[base + j] = (threshold << 8) | alias;
  }
}

}  // namespace meg::bn
