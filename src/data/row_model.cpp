// Fitting the row model (donors, key order, learned order rules) and its model-file form.
#include "data/row_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/json_blob.hpp"
#include "core/strings.hpp"
#include "meg/error.hpp"

namespace meg::data {
namespace {

// Seeded selection sampling (Knuth's algorithm S): m of n row indices, ascending, in one
// pass without memory beyond the result.
std::vector<uint64_t> select_rows(uint64_t n, uint64_t m, uint64_t seed) {
  std::vector<uint64_t> out;
  out.reserve(m);
  core::Rng rng(seed);
  for (uint64_t r = 0; r < n && out.size() < m; ++r) {
    if (static_cast<double>(n - r) * rng.uniform() < static_cast<double>(m - out.size())) {
      out.push_back(r);
    }
  }
  return out;
}

// Key order: the column most associated (|correlation| of bin codes over the donors) with
// the others first, then each next the one most associated with a column already placed.
std::vector<size_t> key_order(const std::vector<uint32_t>& bins, size_t m, size_t k) {
  std::vector<double> mean(k, 0.0), sd(k, 0.0);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < k; ++j) mean[j] += bins[i * k + j];
  for (auto& x : mean) x /= static_cast<double>(std::max<size_t>(m, 1));
  std::vector<double> assoc(k * k, 0.0);
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a; b < k; ++b) {
      double s = 0;
      for (size_t i = 0; i < m; ++i) {
        s += (bins[i * k + a] - mean[a]) * (bins[i * k + b] - mean[b]);
      }
      assoc[a * k + b] = assoc[b * k + a] = s;
    }
  }
  for (size_t a = 0; a < k; ++a) sd[a] = std::sqrt(assoc[a * k + a]);
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = 0; b < k; ++b) {
      const double den = sd[a] * sd[b];
      assoc[a * k + b] = (a == b || den <= 0) ? 0.0 : std::fabs(assoc[a * k + b]) / den;
    }
  }
  std::vector<size_t> order;
  std::vector<bool> placed(k, false);
  std::vector<double> link(k, 0.0);  // strongest association with a placed column
  size_t first = 0;
  double best = -1;
  for (size_t a = 0; a < k; ++a) {
    const double total = std::accumulate(assoc.begin() + a * k, assoc.begin() + (a + 1) * k, 0.0);
    if (total > best) {
      best = total;
      first = a;
    }
  }
  for (size_t next = first; order.size() < k;) {
    order.push_back(next);
    placed[next] = true;
    for (size_t b = 0; b < k; ++b) link[b] = std::max(link[b], assoc[next * k + b]);
    best = -1;
    for (size_t b = 0; b < k; ++b) {
      if (!placed[b] && link[b] > best) {
        best = link[b];
        next = b;
      }
    }
  }
  return order;
}

}  // namespace

std::shared_ptr<const RowModel> RowModel::fit(const TableCodec& codec, uint64_t rows,
                                              const std::vector<bool>& available,
                                              const ValueSource& values, const RowModelOptions& o,
                                              uint64_t seed) {
  const size_t d = codec.num_cols();
  std::vector<uint32_t> cols;  // numeric columns whose values the source gives, bounded
  for (size_t c = 0; c < d && cols.size() < kMaxRuleColumns; ++c) {
    if (codec.column(c).numeric_view() && available[c]) cols.push_back(static_cast<uint32_t>(c));
  }
  const bool declared = !o.declared_orders.empty() || !o.declared_sums.empty();
  if (!declared && (cols.empty() || rows == 0 || (!o.joint && !o.learn_rules))) return nullptr;
  auto model = std::make_shared<RowModel>();
  model->jitter_ = o.jitter;
  const size_t k = cols.size();

  // Rule candidates: every pair (i < j); le = v_i <= v_j in every row with both, ge alike.
  std::vector<uint8_t> le(k * k, o.learn_rules), ge(k * k, o.learn_rules), seen(k * k, 0);
  const std::vector<uint64_t> chosen =
      o.joint
          ? select_rows(rows, std::min<uint64_t>(rows, o.max_donors), core::derive_seed(seed, {1}))
          : std::vector<uint64_t>{};
  const size_t m = chosen.size();
  std::vector<uint32_t> bins(m * k);
  std::vector<uint16_t> pos(m * k);
  core::Rng rng(core::derive_seed(seed, {2}));
  const size_t block = std::max<size_t>(1024, (size_t{1} << 22) / std::max<size_t>(k, 1));
  std::vector<double> buf(k * block);
  size_t next = 0;  // next chosen row
  for (uint64_t first = 0; first < rows && k > 0; first += block) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(block, rows - first));
    for (size_t i = 0; i < k; ++i) values(cols[i], first, len, &buf[i * block]);
    if (o.learn_rules) {
      for (size_t i = 0; i < k; ++i) {
        for (size_t j = i + 1; j < k; ++j) {
          uint8_t& l = le[i * k + j];
          uint8_t& g = ge[i * k + j];
          if (!l && !g) continue;
          const double* a = &buf[i * block];
          const double* b = &buf[j * block];
          bool any = false;
          for (size_t r = 0; r < len; ++r) {
            if (std::isnan(a[r]) || std::isnan(b[r])) continue;
            any = true;
            l &= a[r] <= b[r];
            g &= a[r] >= b[r];
          }
          seen[i * k + j] |= any;
        }
      }
    }
    for (; next < m && chosen[next] < first + len; ++next) {
      const size_t r = static_cast<size_t>(chosen[next] - first);
      for (size_t i = 0; i < k; ++i) {
        const ColumnCodec& cc = codec.column(cols[i]);
        const double v = buf[i * block + r];
        double p = 0.5;
        Code bin = 0;
        if (std::isnan(v)) {
          bin = static_cast<Code>(std::max<int64_t>(cc.missing_code(), 0));
        } else {
          bin = cc.numeric_view()->locate(v, rng.uniform(), &p);
        }
        bins[next * k + i] = bin;
        pos[next * k + i] = static_cast<uint16_t>(std::min(65535.0, std::floor(p * 65536.0)));
      }
    }
  }

  for (size_t i = 0; i < k && o.learn_rules; ++i) {
    const NumericView& vi = *codec.column(cols[i]).numeric_view();
    for (size_t j = i + 1; j < k; ++j) {
      if (!seen[i * k + j]) continue;
      const NumericView& vj = *codec.column(cols[j]).numeric_view();
      // An order the value ranges already imply holds by itself: not a rule.
      if (le[i * k + j] && !(vi.max_value() <= vj.min_value()))
        model->rules_.push_back({cols[i], cols[j], false});
      if (ge[i * k + j] && !(vj.max_value() <= vi.min_value()))
        model->rules_.push_back({cols[j], cols[i], false});
    }
  }
  for (const auto& r : o.declared_orders) {
    auto same = [&](const OrderRule& x) { return x.low == r.low && x.high == r.high; };
    auto it = std::find_if(model->rules_.begin(), model->rules_.end(), same);
    if (it == model->rules_.end()) {
      model->rules_.push_back(r);
    } else {
      it->declared = true;
    }
  }
  model->sums_ = o.declared_sums;

  if (m > 0) {
    const std::vector<size_t> order = key_order(bins, m, k);
    for (size_t i : order) model->key_cols_.push_back(cols[i]);
    std::vector<size_t> idx(m);
    std::iota(idx.begin(), idx.end(), 0);
    auto key = [&](size_t row, size_t t) { return bins[row * k + order[t]]; };
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      for (size_t t = 0; t < k; ++t) {
        if (key(a, t) != key(b, t)) return key(a, t) < key(b, t);
      }
      return a < b;
    });
    model->n_donors_ = m;
    model->keys_.resize(m * k);
    model->pos_.resize(m * k);
    for (size_t i = 0; i < m; ++i) {
      for (size_t t = 0; t < k; ++t) {
        model->keys_[i * k + t] = key(idx[i], t);
        model->pos_[i * k + t] = pos[idx[i] * k + order[t]];
      }
    }
  }
  if (model->n_donors_ == 0 && model->rules_.empty() && model->sums_.empty()) return nullptr;
  model->prepare(d);
  return model;
}

std::shared_ptr<const RowModel> fit_row_model(const TableCodec& codec, const CsvTable& table,
                                              const RowModelOptions& options, uint64_t codec_seed) {
  const size_t d = codec.num_cols();
  std::vector<bool> available(d, true);
  std::vector<size_t> source(d);
  for (size_t c = 0; c < d; ++c) {
    const int idx = table.column_index(codec.schema().columns[c].name);
    available[c] = idx >= 0;
    source[c] = static_cast<size_t>(std::max(idx, 0));
  }
  return RowModel::fit(
      codec, table.num_rows(), available,
      [&](size_t c, uint64_t first, size_t n, double* out) {
        const ColumnCodec& cc = codec.column(c);
        const auto& cells = table.columns[source[c]];
        for (size_t i = 0; i < n; ++i) {
          const std::string& cell = cells[first + i];
          out[i] = static_cast<int64_t>(cc.encode(cell)) == cc.missing_code()
                       ? NAN
                       : core::parse_double(cell).value_or(NAN);
        }
      },
      options, row_model_seed(codec_seed));
}

void RowModel::prepare(size_t num_cols) {
  slot_.assign(num_cols, -1);
  for (size_t t = 0; t < key_cols_.size(); ++t) slot_[key_cols_[t]] = static_cast<int>(t);
  lower_of_.assign(num_cols, {});
  upper_of_.assign(num_cols, {});
  for (const auto& r : rules_) {
    // Enforced when the later of the two columns is decoded.
    if (r.low < r.high) {
      lower_of_[r.high].push_back(r.low);
    } else {
      upper_of_[r.low].push_back(r.high);
    }
  }
}

nlohmann::json RowModel::to_json() const {
  nlohmann::json rules = nlohmann::json::array(), sums = nlohmann::json::array();
  for (const auto& r : rules_) rules.push_back({r.low, r.high, r.declared});
  for (const auto& s : sums_) sums.push_back({{"total", s.total}, {"parts", s.parts}});
  return {{"key_columns", key_cols_},
          {"donors", n_donors_},
          {"keys", core::pack_array(keys_)},
          {"positions", core::pack_array(pos_)},
          {"jitter", jitter_},
          {"order_rules", std::move(rules)},
          {"sums", std::move(sums)}};
}

std::shared_ptr<const RowModel> RowModel::from_json(const nlohmann::json& j,
                                                    const TableCodec& codec) {
  auto m = std::make_shared<RowModel>();
  const size_t d = codec.num_cols();
  auto numeric = [&](uint32_t c) { return c < d && codec.column(c).numeric_view(); };
  try {
    m->key_cols_ = j.at("key_columns").get<std::vector<uint32_t>>();
    m->n_donors_ = j.at("donors").get<size_t>();
    m->keys_ = core::unpack_array<uint32_t>(j.at("keys"), "keys");
    m->pos_ = core::unpack_array<uint16_t>(j.at("positions"), "positions");
    m->jitter_ = j.at("jitter").get<double>();
    for (const auto& r : j.at("order_rules")) {
      m->rules_.push_back({r.at(0).get<uint32_t>(), r.at(1).get<uint32_t>(), r.at(2).get<bool>()});
    }
    for (const auto& s : j.at("sums")) {
      m->sums_.push_back(
          {s.at("total").get<uint32_t>(), s.at("parts").get<std::vector<uint32_t>>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(std::string("model: bad row model: ") + e.what());
  }
  const size_t k = m->key_cols_.size();
  bool ok = m->keys_.size() == m->n_donors_ * k && m->pos_.size() == m->keys_.size() &&
            (m->n_donors_ == 0) == (k == 0) && std::isfinite(m->jitter_) && m->jitter_ >= 0 &&
            m->jitter_ <= 1;
  std::vector<bool> in_key(d, false);
  for (uint32_t c : m->key_cols_) {
    ok = ok && numeric(c) && !in_key[c];
    if (ok) in_key[c] = true;
  }
  for (size_t i = 0; ok && i < m->keys_.size(); ++i) {
    ok = m->keys_[i] < codec.column(m->key_cols_[i % k]).cardinality();
  }
  for (const auto& r : m->rules_) ok = ok && numeric(r.low) && numeric(r.high) && r.low != r.high;
  for (const auto& s : m->sums_) {
    ok = ok && numeric(s.total) && !s.parts.empty();
    for (uint32_t p : s.parts) ok = ok && numeric(p) && p != s.total;
  }
  if (!ok) throw ModelFormatError("model: inconsistent row model");
  m->prepare(d);
  return m;
}

}  // namespace meg::data
