#include "ensemble/dp_domain.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/json_blob.hpp"
#include "data/numeric_codec.hpp"
#include "meg/error.hpp"
#include "privacy/accountant.hpp"
#include "privacy/domain.hpp"
#include "privacy/mechanisms.hpp"
#include "privacy/noise.hpp"

namespace meg::ensemble {
namespace {

constexpr size_t kBlock = 8;  // grid cells pooled when one cell alone is below the floor

bool is_missing(const data::ColumnSchema& cs, const std::string& text) {
  return std::find(cs.missing_tokens.begin(), cs.missing_tokens.end(), text) !=
         cs.missing_tokens.end();
}

// Index of the grid point nearest to v (the numeric codec's encoding rule).
size_t nearest(const std::vector<double>& grid, double v) {
  auto it = std::lower_bound(grid.begin(), grid.end(), v);
  if (it == grid.end()) return grid.size() - 1;
  const auto hi = static_cast<size_t>(it - grid.begin());
  if (hi == 0 || *it == v) return hi;
  return (v - grid[hi - 1] <= grid[hi] - v) ? hi - 1 : hi;
}

// A numeric codec from its state (the same tree the model file holds).
std::unique_ptr<data::ColumnCodec> numeric_codec(const data::ColumnSchema& cs,
                                                 const std::vector<double>& values,
                                                 const std::vector<uint64_t>& counts,
                                                 const std::vector<uint32_t>& code_of, int decimals,
                                                 bool uniform, bool has_missing) {
  nlohmann::json j = {{"kind", "numeric"},
                      {"values", core::pack_array(values)},
                      {"counts", core::pack_array(counts)},
                      {"code_of", core::pack_array(code_of)},
                      {"num_bins", code_of.back() + 1},
                      {"integer", cs.type == data::ColumnType::Integer},
                      {"decimals", cs.type == data::ColumnType::Integer ? 0 : decimals},
                      {"exponent", false},
                      {"decode", uniform ? "uniform" : data::to_string(cs.decode)},
                      {"discretizer", "quantile"},
                      {"has_missing", has_missing},
                      {"missing_text", has_missing ? cs.missing_tokens.front() : std::string()},
                      {"missing_tokens", cs.missing_tokens}};
  return data::numeric_codec_from_json(j);
}

constexpr size_t kSpread = 32;         // points per wide cell
constexpr double kWeightScale = 1000;  // noisy counts to integer point weights

// Points inside the cell [lo, hi) (hi included when lo == hi): every integer of an integer
// column (at most kSpread, evenly spaced), else kSpread evenly spaced values rounded to
// `decimals`; `rep` when none falls inside.
std::vector<double> cell_points(double lo, double hi, double rep, bool integer, int decimals) {
  std::vector<double> out;
  if (integer) {
    const double first = std::ceil(lo), last = hi > lo ? std::ceil(hi) - 1 : std::floor(hi);
    if (last >= first) {
      const double span = last - first + 1;
      const size_t k = span <= kSpread ? static_cast<size_t>(span) : kSpread;
      for (size_t j = 0; j < k; ++j) {
        const double v = first + std::floor(static_cast<double>(j) * span / static_cast<double>(k));
        if (out.empty() || v > out.back()) out.push_back(v);
      }
    }
  } else if (hi > lo) {
    const double scale = std::pow(10.0, decimals);
    for (size_t j = 0; j < kSpread; ++j) {
      double v = lo + (static_cast<double>(j) + 0.5) * (hi - lo) / kSpread;
      v = std::round(v * scale) / scale;
      if (v >= lo && v < hi && (out.empty() || v > out.back())) out.push_back(v);
    }
  }
  if (out.empty()) out.push_back(rep);
  return out;
}

}  // namespace

std::vector<double> universal_grid(bool integer) {
  std::vector<double> pos;
  if (integer) {
    for (int v = 1; v <= 1000; ++v) pos.push_back(v);
  }
  for (int j = -120; j <= 600; ++j) {
    double v = std::pow(10.0, j / 40.0);
    if (integer) v = std::round(v);
    if (v > 0 && (pos.empty() || v > pos.back())) pos.push_back(v);
  }
  std::vector<double> grid;
  for (auto it = pos.rbegin(); it != pos.rend(); ++it) grid.push_back(-*it);
  grid.push_back(0.0);
  grid.insert(grid.end(), pos.begin(), pos.end());
  return grid;
}

PrivateDomain measure_domain(const data::CsvTable& table, const data::Schema& schema,
                             const std::vector<DeclaredDomain>& declared, const DpOptions& dp,
                             double rho, double delta_levels, privacy::SecureRng& rng,
                             privacy::PrivacyLedger& ledger) {
  const size_t d = schema.columns.size();
  size_t private_levels = 0;
  for (size_t c = 0; c < d; ++c) {
    if (schema.columns[c].type == data::ColumnType::Categorical && !declared[c].has_levels) {
      ++private_levels;
    }
  }
  PrivateDomain out;
  const double sigma2 = privacy::gaussian_sigma2(std::sqrt(static_cast<double>(d)), rho);
  const privacy::DiscreteGaussian noise(sigma2);
  out.sigma = std::sqrt(sigma2);
  const std::string step = fmt::format("domain: 1-way histograms ({} columns)", d);
  if (private_levels > 0) {
    out.threshold =
        privacy::release_threshold(noise, delta_levels / static_cast<double>(private_levels));
    ledger.charge_threshold(
        step, std::sqrt(static_cast<double>(d)), sigma2, delta_levels,
        fmt::format("{} columns' levels kept at noisy count >= {}", private_levels, out.threshold));
  } else {
    ledger.charge_gaussian(step, std::sqrt(static_cast<double>(d)), sigma2,
                           "levels and edges declared public");
  }
  const double sigma = out.sigma;
  const int bins = std::max(1, rho < 0.003 ? std::min(dp.bins, 5) : dp.bins);
  std::vector<std::unique_ptr<data::ColumnCodec>> codecs;
  out.oneway.resize(d);
  double rows_num = 0, rows_den = 0;  // inverse-variance average of the columns' totals
  auto add_total = [&](double total, size_t cells) {
    rows_num += total / static_cast<double>(cells);
    rows_den += 1.0 / static_cast<double>(cells);
  };
  const double missing_floor = 3 * sigma;
  for (size_t c = 0; c < d; ++c) {
    const data::ColumnSchema& cs = schema.columns[c];
    const DeclaredDomain& dd = declared[c];
    const int idx = table.column_index(cs.name);
    if (idx < 0) throw DataError(fmt::format("{}: no column named '{}'", table.source, cs.name));
    const auto& cells = table.columns[static_cast<size_t>(idx)];
    privacy::SecureRng stream = rng.derive({c});
    nlohmann::json note = {{"column", cs.name}};
    int64_t missing = 0;
    if (cs.type == data::ColumnType::Categorical) {
      std::vector<std::string> levels;
      std::vector<int64_t> counts;
      if (dd.has_levels) {
        levels = dd.levels;
        std::map<std::string, size_t> index;
        for (size_t i = 0; i < levels.size(); ++i) index.emplace(levels[i], i);
        counts.assign(levels.size(), 0);
        for (const auto& t : cells) {
          auto it = index.find(t);
          if (it != index.end() && !is_missing(cs, t)) {
            ++counts[it->second];
          } else {
            ++missing;  // missing, or a level not declared: the "other" cell
          }
        }
      } else {
        std::map<std::string, int64_t> seen;  // sorted: the noise order is the text order
        for (const auto& t : cells) {
          if (is_missing(cs, t)) {
            ++missing;
          } else {
            ++seen[t];
          }
        }
        for (auto& [t, n] : seen) {
          levels.push_back(t);
          counts.push_back(n);
        }
      }
      std::vector<std::string> kept_levels;
      std::vector<uint64_t> kept_counts;
      std::vector<double> kept_noisy;
      double total = 0;
      if (dd.has_levels) {
        const auto noisy = privacy::noisy_counts(stream, counts, noise);
        for (size_t i = 0; i < levels.size(); ++i) {
          kept_levels.push_back(levels[i]);
          const double v = noisy[i] >= dp.floor * sigma ? static_cast<double>(noisy[i]) : 0.0;
          kept_counts.push_back(static_cast<uint64_t>(v));
          kept_noisy.push_back(v);
          total += static_cast<double>(noisy[i]);
        }
        add_total(total, levels.size() + 1);
      } else {
        const auto sel = privacy::select_levels(stream, counts, noise, out.threshold);
        for (size_t i : sel.kept) {
          kept_levels.push_back(levels[i]);
          kept_counts.push_back(static_cast<uint64_t>(sel.noisy[i]));
          kept_noisy.push_back(static_cast<double>(sel.noisy[i]));
          total += static_cast<double>(sel.noisy[i]);
        }
        add_total(total, sel.kept.size() + 1);
        note["levels_released"] = sel.kept.size();
        if (sel.kept.empty()) {
          throw DataError(fmt::format(
              "column '{}': no level reached the release threshold of {} noisy rows; raise "
              "--epsilon or declare the column's levels public (--public-schema)",
              cs.name, out.threshold));
        }
      }
      const int64_t noisy_missing = privacy::noisy_counts(stream, {missing}, noise)[0];
      rows_num += static_cast<double>(noisy_missing) / static_cast<double>(kept_levels.size() + 1);
      const bool has_missing = !cs.missing_tokens.empty() && noisy_missing >= missing_floor;
      std::vector<uint64_t> missing_counts(cs.missing_tokens.size(), 0);
      if (has_missing) missing_counts[0] = static_cast<uint64_t>(noisy_missing);
      auto codec = data::fit_categorical_codec(kept_levels, kept_counts, missing_counts, cs);
      out.oneway[c].assign(codec->cardinality(), 0.0);
      for (size_t i = 0; i < kept_levels.size(); ++i) {
        out.oneway[c][codec->encode(kept_levels[i])] += kept_noisy[i];
      }
      if (has_missing) {
        out.oneway[c][static_cast<size_t>(codec->missing_code())] +=
            static_cast<double>(noisy_missing);
      }
      codecs.push_back(std::move(codec));
    } else {
      const bool integer = cs.type == data::ColumnType::Integer;
      const int decimals = dd.decimals >= 0 ? dd.decimals : (integer ? 0 : 2);
      std::vector<double> points;  // cells: the public grid, or the declared bins
      if (dd.has_edges) {
        // A cell's value: its low edge when it holds one integer, else its middle.
        for (size_t b = 0; b + 1 < dd.edges.size(); ++b) {
          const double lo = dd.edges[b], hi = dd.edges[b + 1];
          double mid = integer && hi - lo <= 1 ? lo : (lo + hi) / 2;
          if (integer) mid = std::floor(mid);
          points.push_back(std::max(mid, points.empty() ? mid : std::nextafter(points.back(), hi)));
        }
      } else {
        points = universal_grid(integer);
      }
      std::vector<int64_t> counts(points.size(), 0);
      for (const auto& t : cells) {
        const char* problem = nullptr;
        std::optional<double> v;
        if (!is_missing(cs, t)) v = data::numeric_cell_value(t, cs.type, &problem);
        if (!v) {
          ++missing;  // missing, or not a number: the missing cell (no message names a row)
          continue;
        }
        size_t cell;
        if (dd.has_edges) {
          auto it = std::upper_bound(dd.edges.begin(), dd.edges.end(), *v);
          cell = it == dd.edges.begin() ? 0 : static_cast<size_t>(it - dd.edges.begin()) - 1;
          cell = std::min(cell, points.size() - 1);
        } else {
          cell = nearest(points, *v);
        }
        ++counts[cell];
      }
      const auto noisy = privacy::noisy_counts(stream, counts, noise);
      const int64_t noisy_missing = privacy::noisy_counts(stream, {missing}, noise)[0];
      const bool has_missing = !cs.missing_tokens.empty() && noisy_missing >= missing_floor;
      double total = static_cast<double>(noisy_missing);
      for (int64_t v : noisy) total += static_cast<double>(v);
      add_total(total, points.size() + 1);
      std::vector<double> values;
      std::vector<uint64_t> value_counts;
      std::vector<uint32_t> code_of;
      std::vector<double> bin_mass;
      // Declared edges with at most `bins` cells: each cell is one code, decoded uniformly
      // between its edges. More cells (a fine public grid): merged into bins like the
      // universal grid's cells.
      const bool exact_bins = dd.has_edges && points.size() <= static_cast<size_t>(bins);
      if (exact_bins) {
        const double gap = integer ? 1.0 : std::pow(10.0, -decimals);
        const size_t nb = points.size();
        for (size_t b = 0; b < nb; ++b) {
          const double lo = dd.edges[b];
          const double hi = b + 1 == nb ? dd.edges[b + 1] : dd.edges[b + 1] - gap;
          values.push_back(lo);
          value_counts.push_back(1);
          code_of.push_back(static_cast<uint32_t>(b));
          if (hi > lo) {
            values.push_back(hi);
            value_counts.push_back(1);
            code_of.push_back(static_cast<uint32_t>(b));
          }
          bin_mass.push_back(noisy[b] >= dp.floor * sigma ? static_cast<double>(noisy[b]) : 0.0);
        }
        codecs.push_back(
            numeric_codec(cs, values, value_counts, code_of, decimals, true, has_missing));
      } else {
        const size_t m = points.size();
        // A declared grid spans the column's public range: a floor of 2 sigma suffices. On
        // the universal grid the floor of a level with `units` cells or blocks is
        // sqrt(2 ln(50 units)) sigma, so about 0.02 empty cells or blocks per level survive.
        auto z_of = [&](size_t units) {
          return dd.has_edges ? 2.0 : std::sqrt(2 * std::log(50.0 * static_cast<double>(units)));
        };
        const double z = z_of(m);
        // Pooled floors: a cell is kept when it clears z sigma, or when its aligned block of
        // 8 cells clears the block's floor z sigma sqrt(8), or when its block of 64 does and
        // its block of 8 clears 2 sigma sqrt(8) (so a large block passing does not spread
        // noise over its whole range). A cell kept through a block keeps its noisy count
        // clipped at 0 (post-processing of the released noisy counts).
        std::vector<double> weight(m, 0.0);
        for (size_t i = 0; i < m; ++i) {
          if (static_cast<double>(noisy[i]) >= z * sigma) weight[i] = static_cast<double>(noisy[i]);
        }
        auto block_sum = [&](size_t b0, size_t b1) {
          double sum = 0;
          for (size_t i = b0; i < b1; ++i) sum += static_cast<double>(noisy[i]);
          return sum;
        };
        auto keep = [&](size_t b0, size_t b1) {
          for (size_t i = b0; i < b1; ++i) {
            weight[i] = std::max(weight[i], static_cast<double>(noisy[i]));
          }
        };
        const size_t big = kBlock * kBlock;
        const double z8 = z_of((m + kBlock - 1) / kBlock), z64 = z_of((m + big - 1) / big);
        for (size_t b0 = 0; b0 < m; b0 += kBlock) {
          const size_t b1 = std::min(m, b0 + kBlock);
          if (block_sum(b0, b1) >= z8 * sigma * std::sqrt(static_cast<double>(b1 - b0))) {
            keep(b0, b1);
          }
        }
        for (size_t g0 = 0; g0 < m; g0 += big) {
          const size_t g1 = std::min(m, g0 + big);
          if (block_sum(g0, g1) < z64 * sigma * std::sqrt(static_cast<double>(g1 - g0))) continue;
          for (size_t b0 = g0; b0 < g1; b0 += kBlock) {
            const size_t b1 = std::min(g1, b0 + kBlock);
            if (block_sum(b0, b1) >= 2 * sigma * std::sqrt(static_cast<double>(b1 - b0))) {
              keep(b0, b1);
            }
          }
        }
        // Bins over the kept cells (a bin never splits a cell, so a value's code is its
        // cell's); each cell then spreads its weight over points inside it (every integer,
        // or up to kSpread evenly spaced values), so decoding draws a value inside the cell
        // rather than the cell's representative alone.
        std::vector<size_t> kept;
        std::vector<double> kept_points;
        std::vector<uint64_t> kept_weights;
        for (size_t i = 0; i < m; ++i) {
          if (weight[i] <= 0) continue;
          kept.push_back(i);
          kept_points.push_back(points[i]);
          kept_weights.push_back(static_cast<uint64_t>(std::llround(weight[i] * kWeightScale)));
        }
        if (kept.empty()) {
          throw DataError(
              fmt::format("column '{}': no cell of the public grid reached the noise floor; raise "
                          "--epsilon or declare the column's bin edges (--public-schema)",
                          cs.name));
        }
        const std::vector<uint32_t> cell_bin =
            data::quantile_bins(kept_points, kept_weights, std::min(bins, cs.bins));
        bin_mass.assign(cell_bin.back() + 1, 0.0);
        for (size_t k = 0; k < kept.size(); ++k) {
          const size_t i = kept[k];
          bin_mass[cell_bin[k]] += weight[i];
          double lo, hi;  // the cell [lo, hi)
          if (dd.has_edges) {
            lo = dd.edges[i];
            hi = dd.edges[i + 1];
          } else {
            lo = i == 0 ? points[i] : (points[i - 1] + points[i]) / 2;
            hi = i + 1 == m ? points[i] : (points[i] + points[i + 1]) / 2;
          }
          const std::vector<double> inside = cell_points(lo, hi, points[i], integer, decimals);
          const double each = weight[i] * kWeightScale / static_cast<double>(inside.size());
          for (double v : inside) {
            if (!values.empty() && v <= values.back()) continue;  // cells never overlap
            values.push_back(v);
            value_counts.push_back(
                std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(each))));
            code_of.push_back(cell_bin[k]);
          }
        }
        const size_t released = kept.size();
        note["grid_cells_released"] = released;
        codecs.push_back(
            numeric_codec(cs, values, value_counts, code_of, decimals, false, has_missing));
      }
      out.oneway[c] = bin_mass;
      if (has_missing) out.oneway[c].push_back(static_cast<double>(noisy_missing));
    }
    note["codes"] = codecs.back()->cardinality();
    out.notes[cs.name] = note;
  }
  out.rows = rows_den > 0 ? rows_num / rows_den : 0.0;
  out.codec = data::TableCodec::from_codecs(schema, std::move(codecs));
  return out;
}

}  // namespace meg::ensemble
