// Fitting the row model (donors, key order, learned order rules) and its model-file form.
#include "data/row_model.hpp"
#include "data/sum_rules.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

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

// Key order: the column most associated with the others first (mutual information of
// the codes over the donors, divided by the smaller of the two entropies), then each next
// the one most associated with a column already placed.
std::vector<size_t> key_order(const std::vector<uint32_t>& bins,
                              const std::vector<uint32_t>& levels, size_t m) {
  const size_t k = levels.size();
  auto entropy = [&](const std::vector<double>& counts) {
    double h = 0;
    for (double c : counts) {
      if (c > 0) h -= c / static_cast<double>(m) * std::log(c / static_cast<double>(m));
    }
    return h;
  };
  std::vector<double> h(k);
  for (size_t a = 0; a < k; ++a) {
    std::vector<double> counts(levels[a], 0.0);
    for (size_t i = 0; i < m; ++i) counts[bins[i * k + a]] += 1;
    h[a] = entropy(counts);
  }
  std::vector<double> assoc(k * k, 0.0);
  std::vector<double> joint;
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a + 1; b < k; ++b) {
      joint.assign(static_cast<size_t>(levels[a]) * levels[b], 0.0);
      for (size_t i = 0; i < m; ++i) joint[bins[i * k + a] * levels[b] + bins[i * k + b]] += 1;
      const double low = std::min(h[a], h[b]);
      const double mi = h[a] + h[b] - entropy(joint);
      assoc[a * k + b] = assoc[b * k + a] = low > 0 ? mi / low : 0.0;
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

// Standard deviation of the finite values of f(i), i < m (NaN: fewer than 2).
template <class F>
double spread(size_t m, F f) {
  double n = 0, mean = 0, m2 = 0;
  for (size_t i = 0; i < m; ++i) {
    const double x = f(i);
    if (!std::isfinite(x)) continue;
    n += 1;
    const double delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  return n >= 2 ? std::sqrt(m2 / (n - 1)) : NAN;
}

}  // namespace

std::vector<size_t> RowModel::choose_links(RowModel& model, const std::vector<uint32_t>& cols,
                                           size_t q, const std::vector<double>& raw, size_t m) {
  // Per later column, the base of the tightest order pair with it, if tight enough.
  std::vector<double> best(q, kLinkSpread);
  std::vector<int> base(q, -1);
  auto slot = [&](uint32_t c) {
    return static_cast<size_t>(std::find(cols.begin(), cols.begin() + q, c) - cols.begin());
  };
  for (const auto& r : model.rules_) {
    const size_t a = slot(std::min(r.low, r.high)), b = slot(std::max(r.low, r.high));
    if (a >= q || b >= q) continue;
    auto total = [&](const SumRule& s) { return s.total == cols[b]; };
    // A sum's total is computed from its parts, never linked.
    if (std::any_of(model.sums_.begin(), model.sums_.end(), total)) continue;
    const double later = spread(m, [&](size_t i) { return raw[i * q + b]; });
    const double gap = spread(m, [&](size_t i) { return raw[i * q + b] - raw[i * q + a]; });
    if (!(later > 0) || !(gap <= best[b] * later)) continue;
    best[b] = gap / later;
    base[b] = static_cast<int>(a);
  }
  std::vector<size_t> slots;
  for (size_t b = 0; b < q; ++b) {
    if (base[b] < 0) continue;
    model.links_.push_back({cols[b], cols[static_cast<size_t>(base[b])]});
    slots.push_back(static_cast<size_t>(base[b]));
    slots.push_back(b);
  }
  return slots;
}

std::shared_ptr<const RowModel> RowModel::fit(const TableCodec& codec, uint64_t rows,
                                              const std::vector<bool>& available,
                                              const ValueSource& values, const RowModelOptions& o,
                                              uint64_t seed) {
  const size_t d = codec.num_cols();
  // Numeric columns whose values the source gives (rules and keys), then categorical ones
  // of few levels (keys only: the in-bin positions then depend on them too), bounded.
  std::vector<uint32_t> cols;
  for (size_t c = 0; c < d && cols.size() < kMaxRuleColumns; ++c) {
    if (codec.column(c).numeric_view() && available[c]) cols.push_back(static_cast<uint32_t>(c));
  }
  const size_t q = cols.size();  // numeric columns: cols[0 .. q)
  for (size_t c = 0; c < d && o.joint && q > 0 && cols.size() < kMaxRuleColumns; ++c) {
    const ColumnCodec& cc = codec.column(c);
    if (!cc.numeric_view() && available[c] && cc.cardinality() <= kMaxKeyLevels) {
      cols.push_back(static_cast<uint32_t>(c));
    }
  }
  const bool declared = !o.declared_orders.empty() || !o.declared_sums.empty();
  if (!declared && (q == 0 || rows == 0 || (!o.joint && !o.learn_rules && !o.learn_sums))) {
    return nullptr;
  }
  auto model = std::make_shared<RowModel>();
  model->jitter_ = o.jitter;
  const size_t k = cols.size();

  // Rule candidates: every pair (i < j); le = v_i <= v_j in every row with both, ge alike.
  std::vector<uint8_t> le(k * k, o.learn_rules), ge(k * k, o.learn_rules), seen(k * k, 0);
  const std::vector<uint64_t> chosen =
      o.joint && k > 0
          ? select_rows(rows, std::min<uint64_t>(rows, o.max_donors), core::derive_seed(seed, {1}))
          : std::vector<uint64_t>{};
  const size_t m = chosen.size();
  // Learned sums: the plain decimal numeric columns, and a sample of rows to search.
  std::vector<double> unit(d, 0.0);
  std::vector<size_t> plain;  // slots in cols
  for (size_t i = 0; i < q; ++i) {
    unit[cols[i]] = codec.column(cols[i]).numeric_view()->unit();
    if (unit[cols[i]] > 0 && o.learn_sums) plain.push_back(i);
  }
  const std::vector<uint64_t> sampled =
      plain.size() >= 3 ? select_rows(rows, std::min<uint64_t>(rows, kSumSampleRows),
                                      core::derive_seed(seed, {3}))
                        : std::vector<uint64_t>{};
  std::vector<double> sample(sampled.size() * plain.size());
  size_t next_sampled = 0;
  std::vector<uint32_t> bins(m * k);
  std::vector<uint16_t> pos(m * k);
  std::vector<double> raw(m * q);  // the donors' numeric values (links)
  core::Rng rng(core::derive_seed(seed, {2}));
  const size_t block = std::max<size_t>(1024, (size_t{1} << 20) / std::max<size_t>(k, 1));
  std::vector<double> buf(k * block);
  size_t next = 0;  // next chosen row
  for (uint64_t first = 0; first < rows && k > 0; first += block) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(block, rows - first));
    for (size_t i = 0; i < k; ++i) values(cols[i], first, len, &buf[i * block]);
    if (o.learn_rules) {
      for (size_t i = 0; i < q; ++i) {
        for (size_t j = i + 1; j < q; ++j) {
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
    for (; next_sampled < sampled.size() && sampled[next_sampled] < first + len; ++next_sampled) {
      const size_t r = static_cast<size_t>(sampled[next_sampled] - first);
      for (size_t j = 0; j < plain.size(); ++j) {
        sample[next_sampled * plain.size() + j] = buf[plain[j] * block + r];
      }
    }
    for (; next < m && chosen[next] < first + len; ++next) {
      const size_t r = static_cast<size_t>(chosen[next] - first);
      for (size_t i = 0; i < k; ++i) {
        const ColumnCodec& cc = codec.column(cols[i]);
        const double v = buf[i * block + r];
        if (i < q) raw[next * q + i] = v;
        double p = 0.5;
        Code bin = 0;
        if (!cc.numeric_view()) {
          bin = static_cast<Code>(v);  // a categorical column's code
        } else if (std::isnan(v)) {
          bin = static_cast<Code>(std::max<int64_t>(cc.missing_code(), 0));
        } else {
          bin = cc.numeric_view()->locate(v, rng.uniform(), &p);
        }
        bins[next * k + i] = bin;
        pos[next * k + i] = static_cast<uint16_t>(std::min(65535.0, std::floor(p * 65536.0)));
      }
    }
  }

  for (size_t i = 0; i < q && o.learn_rules; ++i) {
    const NumericView& vi = *codec.column(cols[i]).numeric_view();
    for (size_t j = i + 1; j < q; ++j) {
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
  std::vector<SumRule> learned;
  if (!sampled.empty()) {
    std::vector<uint32_t> plain_cols;
    std::vector<double> plain_units;
    for (size_t i : plain) {
      plain_cols.push_back(cols[i]);
      plain_units.push_back(unit[cols[i]]);
    }
    learned = sum_candidates(sample, sampled.size(), plain_cols, plain_units,
                             core::derive_seed(seed, {4}));
    keep_verified(learned, rows, d, unit, values);
  }
  model->sums_ = choose_sums(o.declared_sums, std::move(learned), unit);
  std::vector<size_t> link_slot;  // per link: the base's and the later column's slots in raw
  if (m > 0) link_slot = choose_links(*model, cols, q, raw, m);

  if (m > 0) {
    std::vector<uint32_t> levels(k);
    for (size_t i = 0; i < k; ++i) levels[i] = codec.column(cols[i]).cardinality();
    const std::vector<size_t> order = key_order(bins, levels, m);
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
    const size_t nl = model->links_.size();
    model->gaps_.resize(m * nl);
    for (size_t i = 0; i < m; ++i) {
      for (size_t l = 0; l < nl; ++l) {
        const double* v = &raw[idx[i] * q];
        model->gaps_[i * nl + l] = v[link_slot[2 * l + 1]] - v[link_slot[2 * l]];
      }
    }
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
  model->prepare(codec);
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
          const Code code = cc.encode(cell);
          if (!cc.numeric_view()) {
            out[i] = code;
          } else {
            out[i] = static_cast<int64_t>(code) == cc.missing_code()
                         ? NAN
                         : core::parse_double(cell).value_or(NAN);
          }
        }
      },
      options, row_model_seed(codec_seed));
}

void RowModel::prepare(const TableCodec& codec) {
  const size_t num_cols = codec.num_cols();
  slot_.assign(num_cols, -1);
  key_numeric_.clear();
  for (uint32_t c : key_cols_) key_numeric_.push_back(codec.column(c).numeric_view() != nullptr);
  for (size_t t = 0; t < key_cols_.size(); ++t) slot_[key_cols_[t]] = static_cast<int>(t);
  // first_begin_[c]: the first donor whose first key code is >= c (donors are sorted).
  first_begin_.clear();
  const size_t k = key_cols_.size();
  if (k > 0 && n_donors_ > 0) {
    // Donors are sorted, so the first code's maximum is the last donor's; count each code,
    // then first_begin_[c] = donors with a first code < c.
    first_begin_.assign(size_t{keys_[(n_donors_ - 1) * k]} + 2, 0);
    for (size_t i = 0; i < n_donors_; ++i) ++first_begin_[keys_[i * k] + 1];
    for (size_t c = 1; c < first_begin_.size(); ++c) first_begin_[c] += first_begin_[c - 1];
  }
  link_of_.assign(num_cols, -1);
  for (size_t l = 0; l < links_.size(); ++l) link_of_[links_[l].later] = static_cast<int>(l);
  order_ = decode_order(num_cols, sums_);
  std::vector<size_t> rank(num_cols);
  for (size_t i = 0; i < num_cols; ++i) rank[order_[i]] = i;
  sum_of_.assign(num_cols, -1);
  for (size_t i = 0; i < sums_.size(); ++i) sum_of_[sums_[i].total] = static_cast<int>(i);
  units_.assign(num_cols, 0.0);
  for (size_t c = 0; c < num_cols; ++c) {
    if (const NumericView* v = codec.column(c).numeric_view()) units_[c] = v->unit();
  }
  // Who depends on whom: order partners (each way), a link's later column on its base, a
  // total on its parts.
  std::vector<std::vector<uint32_t>> dependents(num_cols);
  for (const auto& r : rules_) {
    dependents[r.low].push_back(r.high);
    dependents[r.high].push_back(r.low);
  }
  for (const auto& l : links_) dependents[l.base].push_back(l.later);
  for (const auto& s : sums_) {
    for (uint32_t p : s.parts) dependents[p].push_back(s.total);
  }
  movable_.assign(sums_.size(), {});
  for (size_t i = 0; i < sums_.size(); ++i) {
    const SumRule& s = sums_[i];
    for (size_t j = 0; j < s.parts.size(); ++j) {
      const uint32_t p = s.parts[j];
      bool free = sum_of_[p] < 0;
      for (uint32_t q : dependents[p]) {
        free = free && (q == s.total || !(rank[q] > rank[p] && rank[q] < rank[s.total]));
      }
      if (free) movable_[i].push_back(j);
    }
    std::sort(movable_[i].begin(), movable_[i].end(),
              [&](size_t x, size_t y) { return rank[s.parts[x]] > rank[s.parts[y]]; });
  }
  lower_of_.assign(num_cols, {});
  upper_of_.assign(num_cols, {});
  for (const auto& r : rules_) {
    // Enforced when the later of the two columns (in decoding order) is decoded.
    if (rank[r.low] < rank[r.high]) {
      lower_of_[r.high].push_back(r.low);
    } else {
      upper_of_[r.low].push_back(r.high);
    }
  }
}

nlohmann::json RowModel::to_json() const {
  nlohmann::json rules = nlohmann::json::array(), sums = nlohmann::json::array();
  for (const auto& r : rules_) rules.push_back({r.low, r.high, r.declared});
  for (const auto& s : sums_) {
    sums.push_back(
        {{"total", s.total}, {"parts", s.parts}, {"signs", s.signs}, {"learned", s.learned}});
  }
  nlohmann::json links = nlohmann::json::array();
  for (const auto& l : links_) links.push_back({l.later, l.base});
  return {{"rules_version", kRulesVersion},
          {"key_columns", key_cols_},
          {"donors", n_donors_},
          {"keys", core::pack_array(keys_)},
          {"positions", core::pack_array(pos_)},
          {"jitter", jitter_},
          {"order_rules", std::move(rules)},
          {"sums", std::move(sums)},
          {"links", std::move(links)},
          {"gaps", core::pack_array(gaps_)}};
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
    // Version 1 (no "rules_version"): declared sums of '+' parts only.
    const int version = j.value("rules_version", 1);
    if (version < 1 || version > kRulesVersion) {
      throw ModelFormatError(fmt::format(
          "model: row model rules version {} (this meg reads up to {})", version, kRulesVersion));
    }
    for (const auto& s : j.at("sums")) {
      SumRule rule;
      rule.total = s.at("total").get<uint32_t>();
      rule.parts = s.at("parts").get<std::vector<uint32_t>>();
      rule.signs = version >= 2 ? s.at("signs").get<std::vector<int>>()
                                : std::vector<int>(rule.parts.size(), 1);
      rule.learned = version >= 2 && s.at("learned").get<bool>();
      m->sums_.push_back(std::move(rule));
    }
    if (j.contains("links")) {  // absent in models written before links
      for (const auto& l : j.at("links")) {
        m->links_.push_back({l.at(0).get<uint32_t>(), l.at(1).get<uint32_t>()});
      }
      m->gaps_ = core::unpack_array<double>(j.at("gaps"), "gaps");
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
    ok = ok && c < d && !in_key[c];
    if (ok) in_key[c] = true;
  }
  for (size_t i = 0; ok && i < m->keys_.size(); ++i) {
    ok = m->keys_[i] < codec.column(m->key_cols_[i % k]).cardinality();
  }
  for (const auto& r : m->rules_) ok = ok && numeric(r.low) && numeric(r.high) && r.low != r.high;
  std::vector<bool> total(d, false);
  for (const auto& s : m->sums_) {
    ok = ok && numeric(s.total) && !s.parts.empty() && s.signs.size() == s.parts.size() &&
         !total[s.total];
    if (ok) total[s.total] = true;
    for (uint32_t p : s.parts) ok = ok && numeric(p) && p != s.total;
    for (int sign : s.signs) ok = ok && (sign == 1 || sign == -1);
  }
  ok = ok && m->gaps_.size() == m->n_donors_ * m->links_.size();
  std::vector<bool> linked(d, false);
  for (const auto& l : m->links_) {
    ok = ok && numeric(l.later) && numeric(l.base) && l.base < l.later && !linked[l.later];
    if (ok) linked[l.later] = true;
  }
  if (!ok) throw ModelFormatError("model: inconsistent row model");
  m->prepare(codec);
  return m;
}

}  // namespace meg::data
