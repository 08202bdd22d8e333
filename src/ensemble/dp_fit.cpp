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

void set_dp_option(DpOptions& o, const std::string& key, const std::string& value) {
  auto number = [&](double lo, double hi) {
    auto v = core::parse_double(value);
    if (!v || !std::isfinite(*v) || *v < lo || *v > hi) {
      throw InvalidArgument(fmt::format("--dp-option '{}': expected a number in [{}, {}], got '{}'",
                                        key, lo, hi, value));
    }
    return *v;
  };
  auto integer = [&](int lo, int hi) {
    const double v = number(lo, hi);
    if (v != std::floor(v)) {
      throw InvalidArgument(fmt::format(
          "--dp-option '{}': expected an integer in [{}, {}], got '{}'", key, lo, hi, value));
    }
    return static_cast<int>(v);
  };
  if (key == "split_domain") {
    o.split_domain = number(0.01, 0.98);
  } else if (key == "split_structure") {
    o.split_structure = number(0, 0.98);
  } else if (key == "delta_levels") {
    o.delta_levels = number(0.001, 0.999);
  } else if (key == "k") {
    o.k = integer(0, 2);
  } else if (key == "snr") {
    o.snr = number(0, 1000);
  } else if (key == "floor") {
    o.floor = number(0, 100);
  } else if (key == "smoothing") {
    o.smoothing = number(0, 1000);
  } else if (key == "bins") {
    o.bins = integer(1, 1000);
  } else if (key == "rows_factor") {
    o.rows_factor = number(0.01, 100);
  } else {
    throw InvalidArgument(fmt::format(
        "--dp-option '{}': unknown key (expected split_domain, split_structure, delta_levels, "
        "k, snr, floor, smoothing, bins, rows_factor)",
        key));
  }
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
  privacy["settings"] = {{"k", dp.k},
                         {"snr", dp.snr},
                         {"floor", dp.floor},
                         {"smoothing", dp.smoothing},
                         {"bins", dp.bins},
                         {"rows_factor", dp.rows_factor},
                         {"delta_levels", delta_levels}};
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
