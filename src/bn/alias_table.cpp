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
  small_.clear();
  large_.clear();
  for (uint32_t i = 0; i < r; ++i) {
    scaled_[i] = p[i] * r / total;
    (scaled_[i] < 1.0 ? small_ : large_).push_back(i);
    out_[i] = {1.0f, i};
  }
  while (!small_.empty() && !large_.empty()) {
    uint32_t s = small_.back(), l = large_.back();
    small_.pop_back();
    out_[s] = {static_cast<float>(scaled_[s]), l};
    scaled_[l] = (scaled_[l] + scaled_[s]) - 1.0;
    if (scaled_[l] < 1.0) {
      large_.pop_back();
      small_.push_back(l);
    }
  }
  for (uint32_t i : large_) out_[i].prob = 1.0f;
  for (uint32_t i : small_) out_[i].prob = 1.0f;  // rounding leftovers
  return out_.data();
}

uint32_t alias_threshold(float prob) {
  const double x = static_cast<double>(prob) * 0x1.0p24;  // exact
  if (!(x > 0.0)) return 0;
  return x >= 0x1.0p24 ? 1u << 24 : static_cast<uint32_t>(std::ceil(x));
}

AliasTables::AliasTables(size_t cells) : packed_(cells, 0) {}

void AliasTables::set(size_t base, const double* p, uint32_t r) {
  const AliasEntry* t = builder_.build(p, r);
  if (r > kMaxPacked) {
    if (wide_.size() > UINT32_MAX - r) throw InvalidArgument("alias: too many wide tables");
    packed_[base] = static_cast<uint32_t>(wide_.size());
    wide_.insert(wide_.end(), t, t + r);
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
