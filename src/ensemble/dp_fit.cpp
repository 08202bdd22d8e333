#include "ensemble/dp_fit.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/rng.hpp"
#include "core/strings.hpp"
#include "ensemble/dp_domain.hpp"
#include "ensemble/dp_network.hpp"
#include "meg/error.hpp"
#include "privacy/accountant.hpp"
#include "privacy/ledger.hpp"
#include "privacy/secure_rng.hpp"

namespace meg {

namespace {

// The --dp-option table: each key once, with its field (a number or an integer) and range.
// The split keys are recorded in the model's "split", the others in its "settings".
struct DpKey {
  const char* key;
  double DpOptions::*real;
  int DpOptions::*integer;
  double lo, hi;
  bool setting = true;
};
constexpr DpKey kDpKeys[] = {
    {"split_domain", &DpOptions::split_domain, nullptr, 0.01, 0.98, false},
    {"split_structure", &DpOptions::split_structure, nullptr, 0, 0.98, false},
    {"delta_levels", &DpOptions::delta_levels, nullptr, 0.001, 0.999},
    {"k", nullptr, &DpOptions::k, 0, 2},
    {"snr", &DpOptions::snr, nullptr, 0, 1000},
    {"floor", &DpOptions::floor, nullptr, 0, 100},
    {"smoothing", &DpOptions::smoothing, nullptr, 0, 1000},
    {"bins", nullptr, &DpOptions::bins, 1, 1000},
    {"rows_factor", &DpOptions::rows_factor, nullptr, 0.01, 100},
};

// The model's record of the settings (the keys of the table that are not splits).
nlohmann::json dp_settings_json(const DpOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  for (const DpKey& d : kDpKeys) {
    if (!d.setting) continue;
    if (d.integer) {
      j[d.key] = o.*d.integer;
    } else {
      j[d.key] = o.*d.real;
    }
  }
  return j;
}

}  // namespace

void set_dp_option(DpOptions& o, const std::string& key, const std::string& value) {
  std::string known;
  for (const DpKey& d : kDpKeys) {
    known += known.empty() ? "" : ", ";
    known += d.key;
    if (key != d.key) continue;
    const auto v = core::parse_double(value);
    const bool whole = v && *v == std::floor(*v);
    if (!v || !std::isfinite(*v) || *v < d.lo || *v > d.hi || (d.integer && !whole)) {
      throw InvalidArgument(fmt::format("--dp-option '{}': expected {} in [{}, {}], got '{}'", key,
                                        d.integer ? "an integer" : "a number", d.lo, d.hi, value));
    }
    if (d.integer) {
      o.*d.integer = static_cast<int>(*v);
    } else {
      o.*d.real = *v;
    }
    return;
  }
  throw InvalidArgument(fmt::format("--dp-option '{}': unknown key (expected {})", key, known));
}

void validate_dp_options(const DpOptions& o) {
  if (!std::isfinite(o.epsilon) || o.epsilon <= 0) {
    throw InvalidArgument(
        fmt::format("--epsilon: expected a finite number > 0, got {}", o.epsilon));
  }
  if (!(o.delta >= 0 && o.delta < 1)) {
    throw InvalidArgument(fmt::format("--delta: expected a number in [0, 1), got {}", o.delta));
  }
  if (o.delta == 0) {
    throw InvalidArgument(
        "--delta 0: pure epsilon-DP is not available (the fit adds Gaussian noise, accounted "
        "in zCDP); give a delta in (0, 1), e.g. 1e-6");
  }
  if (o.split_domain + o.split_structure >= 0.99) {
    throw InvalidArgument(
        "--dp-option: split_domain + split_structure must leave at least 0.01 for the counts");
  }
}

namespace ensemble {
namespace {

// Splits the DP fields off the schema file's columns.
std::vector<DeclaredDomain> declared_domains(nlohmann::json& file, const std::string& source,
                                             const std::vector<std::string>& header,
                                             bool public_schema) {
  std::vector<DeclaredDomain> out(header.size());
  std::set<std::string> typed;
  if (file.is_object() && file.contains("columns") && file["columns"].is_array()) {
    for (auto& col : file["columns"]) {
      if (!col.is_object() || !col.contains("name") || !col["name"].is_string()) continue;
      const std::string name = col["name"].get<std::string>();
      if (col.contains("type")) typed.insert(name);
      const auto it = std::find(header.begin(), header.end(), name);
      const std::string where = fmt::format("{}: column '{}'", source, name);
      // "levels" as a number is the count `meg schema` prints, not a declaration.
      const bool has_levels = col.contains("levels") && col["levels"].is_array();
      const bool has_extra = has_levels || col.contains("edges");
      if (has_extra && !public_schema) {
        throw InvalidArgument(where +
                              ": declares levels or edges; add --public-schema to use them "
                              "(they are then public) or remove them");
      }
      if (it == header.end()) continue;  // apply_schema_overrides names it
      DeclaredDomain& dd = out[static_cast<size_t>(it - header.begin())];
      if (has_levels) {
        const auto& lv = col["levels"];
        if (!lv.is_array() || lv.empty()) {
          throw DataError(where + ": \"levels\" must be a non-empty array of strings");
        }
        std::set<std::string> seen;
        for (const auto& t : lv) {
          if (!t.is_string() || !seen.insert(t.get<std::string>()).second) {
            throw DataError(where + ": \"levels\" must be distinct strings");
          }
          dd.levels.push_back(t.get<std::string>());
        }
        dd.has_levels = true;
        col.erase("levels");
      }
      if (col.contains("edges")) {
        const auto& ed = col["edges"];
        if (!ed.is_array() || ed.size() < 2) {
          throw DataError(where + ": \"edges\" must be an array of at least two numbers");
        }
        for (const auto& e : ed) {
          if (!e.is_number() || !std::isfinite(e.get<double>()) ||
              (!dd.edges.empty() && e.get<double>() <= dd.edges.back())) {
            throw DataError(where + ": \"edges\" must be finite numbers, strictly ascending");
          }
          dd.edges.push_back(e.get<double>());
        }
        dd.has_edges = true;
        col.erase("edges");
      }
      if (col.contains("decimals")) {
        const auto& de = col["decimals"];
        if (!de.is_number_integer() || de.get<int>() < 0 || de.get<int>() > 15) {
          throw DataError(where + ": \"decimals\" must be an integer in [0, 15]");
        }
        dd.decimals = de.get<int>();
        col.erase("decimals");
      }
    }
  }
  for (const auto& name : header) {
    if (!typed.count(name)) {
      throw InvalidArgument(fmt::format(
          "{}: column '{}' has no \"type\"; a fit with --epsilon reads every column's type "
          "from the schema file, never from the data",
          source, name));
    }
  }
  return out;
}

}  // namespace

MegModel fit_private(const data::CsvTable& table, const nlohmann::json& schema_file,
                     const std::string& schema_source, const FitOptions& options,
                     const DpOptions& dp, const ProgressFn& progress) {
  validate_dp_options(dp);
  validate_options(options);
  MegModel::check_columns(table.header, table.source, options);
  nlohmann::json file = schema_file;
  std::vector<DeclaredDomain> declared =
      declared_domains(file, schema_source, table.header, dp.public_schema);
  // The schema from the header alone, then the file's types and tokens.
  data::Schema base;
  const data::InferOptions defaults;
  for (const auto& name : table.header) {
    data::ColumnSchema cs;
    cs.name = name;
    cs.missing_tokens = defaults.missing_tokens;
    cs.bins = defaults.bins;
    base.columns.push_back(cs);
  }
  const data::Schema schema = data::apply_schema_overrides(base, file, schema_source);
  size_t private_levels = 0;
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    const auto& cs = schema.columns[c];
    const std::string where = fmt::format("{}: column '{}'", schema_source, cs.name);
    if (cs.type == data::ColumnType::Categorical) {
      if (declared[c].has_edges) throw DataError(where + ": \"edges\" on a categorical column");
      if (!declared[c].has_levels) ++private_levels;
    } else {
      if (declared[c].has_levels) throw DataError(where + ": \"levels\" on a numeric column");
      if (cs.discretizer == data::DiscretizerKind::Dpgmm) {
        throw InvalidArgument(where +
                              ": discretizer dpgmm fits the data's values and is not available "
                              "with --epsilon (bins come from noisy histograms)");
      }
    }
  }

  const double delta_levels = private_levels > 0 ? dp.delta_levels * dp.delta : 0.0;
  privacy::PrivacyLedger ledger(dp.epsilon, dp.delta, delta_levels);
  const double rho = ledger.rho_budget();
  privacy::SecureRng rng =
      dp.noise_seed ? privacy::SecureRng::from_seed(*dp.noise_seed) : privacy::SecureRng::from_os();
  privacy::SecureRng domain_rng = rng.derive({0});
  PrivateDomain domain = measure_domain(table, schema, declared, dp, rho * dp.split_domain,
                                        delta_levels, domain_rng, ledger);
  const double rho_counts = rho * (1 - dp.split_domain - dp.split_structure) * (1 - 1e-9);
  DpNetwork net;
  {
    const data::EncodedDataset encoded = domain.codec.encode(table);
    privacy::SecureRng net_rng = rng.derive({1});
    net = fit_private_network(encoded, domain.oneway, domain.rows, dp, rho * dp.split_structure,
                              rho_counts, net_rng, ledger);
  }
  // Post-processing only from here: no row of `table` is read.
  const auto rows =
      static_cast<size_t>(std::max(100.0, std::round(std::max(domain.rows, 0.0) * dp.rows_factor)));
  calibrate_network(net, domain.oneway, rows, core::derive_seed(options.seed, {0xd9, 1}));
  data::EncodedDataset pseudo = sample_network(net, domain.codec.column_names(), rows,
                                               core::derive_seed(options.seed, {0xd9, 2}));

  nlohmann::json privacy;
  privacy["epsilon"] = dp.epsilon;
  privacy["delta"] = dp.delta;
  privacy["rho"] = rho;
  privacy["guarantee_epsilon"] = ledger.epsilon_at(dp.delta);
  privacy["public_schema"] = dp.public_schema;
  privacy["noise"] = dp.noise_seed ? "seed" : "os";
  privacy["split"] = {{"domain", dp.split_domain},
                      {"structure", dp.split_structure},
                      {"counts", 1 - dp.split_domain - dp.split_structure}};
  privacy["settings"] = dp_settings_json(dp);
  privacy["settings"]["delta_levels"] = delta_levels;
  privacy["sigma_domain"] = domain.sigma;
  privacy["sigma_counts"] = net.sigma;
  privacy["release_threshold"] = domain.threshold;
  privacy["rows_noisy"] = domain.rows;
  privacy["pseudo_rows"] = rows;
  privacy["cell_cap"] = net.cell_cap;
  nlohmann::json network = nlohmann::json::array();
  const auto names = domain.codec.column_names();
  for (uint32_t x : net.order) {
    nlohmann::json pa = nlohmann::json::array();
    for (uint32_t p : net.parents[x]) pa.push_back(names[p]);
    network.push_back({{"column", names[x]}, {"parents", pa}});
  }
  privacy["network"] = network;
  privacy["columns"] = domain.notes;
  privacy["ledger"] = ledger.to_json();

  MegModel model =
      MegModel::fit_encoded(std::move(domain.codec), std::move(pseudo),
                            table.source + " (private pseudo-table)", options, progress);
  model.set_privacy(std::move(privacy));
  return model;
}

}  // namespace ensemble
}  // namespace meg
