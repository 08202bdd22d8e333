// Flags of `sample` and `augment` that are fit options (seed, threads, k): their help,
// default and range come from the library's option table (include/meg/options.hpp), and
// --list-options prints those rows, so nothing is defined twice.
#pragma once
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "meg/error.hpp"
#include "meg/options.hpp"

namespace meg::cli {

inline const OptionInfo& fit_option_info(const std::string& key) {
  for (const OptionInfo& o : option_table()) {
    if (o.key == key) return o;
  }
  throw std::logic_error("no fit option '" + key + "'");
}

// Adds --KEY with the table's help and default; the value is parsed by the library later.
inline CLI::Option* add_fit_option_flag(CLI::App* cmd, const std::string& key,
                                        std::string& storage) {
  const OptionInfo& o = fit_option_info(key);
  return cmd->add_option("--" + key, storage, o.help + " (default " + o.default_value + ")");
}

// One line per option: key, flag, default, help (as `meg evaluate --list-options`).
struct ListedOption {
  std::string key, flag, default_value, help;
};
inline void print_option_list(const std::vector<ListedOption>& rows) {
  for (const auto& r : rows) {
    std::printf("%-22s %-20s %-14s %s\n", r.key.c_str(), r.flag.c_str(), r.default_value.c_str(),
                r.help.c_str());
  }
}
inline ListedOption listed_fit_option(const std::string& key) {
  const OptionInfo& o = fit_option_info(key);
  return {o.key, "--" + o.key, o.default_value, o.help};
}

}  // namespace meg::cli
