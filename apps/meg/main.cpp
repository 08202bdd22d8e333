// meg command line: subcommand registration and error -> exit code mapping.
// Exit codes: 0 success, 1 failure while running, 2 bad usage or bad input.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli_progress.hpp"
#include "commands.hpp"
#include "meg/error.hpp"
#include "meg/io.hpp"
#include "meg/log.hpp"
#include "meg/version.hpp"

namespace {

int fail(int code, const std::string& message) {
  meg::cli::finish_progress();
  std::fprintf(stderr, "meg: error: %s\n", message.c_str());
  return code;
}

// SIGINT/SIGTERM: outputs are written to temporary files renamed only when
// complete, so removing the temporaries leaves no partial file behind.
void on_signal(int sig) {
  meg::remove_temporary_files();
  const char msg[] = "\nmeg: interrupted; no output written\n";
  (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
  ::_exit(128 + sig);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "meg: learn a MEG model (an ensemble of GANBLR units) from a table and generate "
      "realistic synthetic rows"};
  app.set_version_flag("--version", std::string("meg ") + meg::kVersion);
  app.require_subcommand(1);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  app.fallthrough(false);
  meg::set_log_sink([](meg::LogLevel level, std::string_view msg) {
    const char* tag = level >= meg::LogLevel::Warning ? "meg: warning: " : "meg: ";
    std::cerr << tag << msg << '\n';
  });

  meg::cli::add_schema_command(app);
  meg::cli::add_fit_command(app);
  meg::cli::add_sample_command(app);
  meg::cli::add_augment_command(app);
  meg::cli::add_inspect_command(app);
  meg::cli::add_evaluate_command(app);
  meg::cli::add_report_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Usage errors: one line like every other error (CLI11 would add a second one).
    return fail(2, std::string(e.what()) + " (see meg --help)");
  } catch (const meg::Cancelled& e) {
    return fail(1, e.what());
  } catch (const meg::InvalidArgument& e) {
    return fail(2, e.what());
  } catch (const meg::DataError& e) {
    return fail(2, e.what());
  } catch (const meg::ModelFormatError& e) {
    return fail(2, e.what());
  } catch (const meg::IoError& e) {
    return fail(2, e.what());
  } catch (const meg::Error& e) {
    return fail(1, e.what());
  } catch (const std::bad_alloc&) {
    return fail(1, "out of memory");
  } catch (const std::exception& e) {
    return fail(1, std::string("internal error: ") + e.what());
  }
  return 0;
}
