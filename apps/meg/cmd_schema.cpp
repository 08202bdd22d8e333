// meg schema DATA.csv [-o schema.json] [--schema overrides.json]
#include <cstdio>
#include <memory>
#include <string>

#include "cli_checks.hpp"
#include "cli_progress.hpp"
#include "commands.hpp"
#include "meg/io.hpp"
#include "meg/schema.hpp"

namespace meg::cli {

void add_schema_command(CLI::App& app) {
  struct Args {
    std::string data;
    std::string output = "-";
    std::string schema;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "schema", "Print the inferred schema of a CSV table as JSON (types, levels, bins, missing)");
  cmd->add_option("DATA", args->data,
                  "CSV file with a header row ('-' = stdin). The file is streamed; stdin or a "
                  "pipe is also copied into an unlinked temporary file in $TMPDIR (default "
                  "/tmp, gone when meg exits) in case a second pass is needed")
      ->required();
  cmd->add_option("-o,--output", args->output, "Write the schema JSON here (default: stdout)");
  cmd->add_option("--schema", args->schema,
                  "JSON schema file whose entries override the inferred ones");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress output");
  cmd->callback([args] {
    check_one_stdin({{"DATA", args->data}, {"--schema", args->schema}});
    check_output_path(args->output, {args->data, args->schema});
    nlohmann::ordered_json schema =
        meg::infer_schema(args->data, args->schema, make_progress_printer(args->quiet));
    finish_progress();
    meg::write_text_file(args->output, schema.dump(2) + "\n");
  });
}

}  // namespace meg::cli
