// meg command line: subcommand registration and error -> exit code mapping.
// Exit codes: 0 success, 1 failure while running, 2 bad usage or bad input.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "cli_progress.hpp"
#include "commands.hpp"
#include "core/strings.hpp"
#include "meg/error.hpp"
#include "meg/io.hpp"
#include "meg/log.hpp"
#include "meg/version.hpp"
#if MEG_WITH_MPI
#include "dist/comm.hpp"
#endif

namespace {

// Messages quote names and values from the input: control characters (a newline in a
// column name) are escaped so an error stays one whole line.
using meg::core::printable;

int fail(int code, const std::string& message) {
  meg::cli::finish_progress();
#if MEG_WITH_MPI
  // Under mpirun, rank 0 prints an error every rank raised (the same arguments) or
  // agreed; a rank's own error is printed by it and ends the job (dist/comm.hpp).
  const meg::dist::ErrorScope scope = meg::dist::error_scope();
  if (meg::dist::rank() != 0 && scope != meg::dist::ErrorScope::Local) return code;
#endif
  const std::string line = "meg: error: " + printable(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
#if MEG_WITH_MPI
  if (scope == meg::dist::ErrorScope::Local) meg::dist::abort_job(code);
#endif
  return code;
}

// The signals that end a run (a write) by default. Outputs are written to temporary
// files renamed only when complete, so removing the temporaries leaves no partial
// file behind; one line says which signal ended the run.
struct FatalSignal {
  int number;
  const char* message;  // written with write(2): async-signal-safe
};
// SIGXFSZ is not among them: it is ignored, so a write over the file size limit
// (`ulimit -f`) fails with EFBIG and is reported as "PATH: write error: File too large".
#define MEG_SIGNAL_LINE(NAME, WHAT) "meg: interrupted by " #NAME " (" WHAT "); no output written\n"
constexpr FatalSignal kFatalSignals[] = {
    {SIGHUP, MEG_SIGNAL_LINE(SIGHUP, "hangup")},
    {SIGINT, MEG_SIGNAL_LINE(SIGINT, "interrupt")},
    {SIGTERM, MEG_SIGNAL_LINE(SIGTERM, "terminated")},
    {SIGPIPE, MEG_SIGNAL_LINE(SIGPIPE, "broken pipe")},
    {SIGALRM, MEG_SIGNAL_LINE(SIGALRM, "alarm clock")},
    {SIGUSR1, MEG_SIGNAL_LINE(SIGUSR1, "user signal 1")},
    {SIGUSR2, MEG_SIGNAL_LINE(SIGUSR2, "user signal 2")},
    {SIGXCPU, MEG_SIGNAL_LINE(SIGXCPU, "CPU time limit exceeded")},
};
#undef MEG_SIGNAL_LINE

// Set on the ranks other than 0 of an mpirun job: mpirun ends them with SIGTERM once
// rank 0 has failed (and reported why), so their signal line would only be noise.
volatile sig_atomic_t g_quiet_signals = 0;

void on_signal(int sig) {
  meg::remove_temporary_files();
  if (g_quiet_signals) ::_exit(128 + sig);
  // A progress bar on a terminal is ended first, so the message has a line of its own.
  if (::isatty(STDERR_FILENO)) (void)!::write(STDERR_FILENO, "\n", 1);
  for (const auto& s : kFatalSignals) {
    if (s.number == sig) {
      size_t n = 0;
      while (s.message[n] != '\0') ++n;
      (void)!::write(STDERR_FILENO, s.message, n);
    }
  }
  ::_exit(128 + sig);
}

// Standard output (inspect, evaluate, schema/sample with "-o -"): an output that could
// not be written fully is a failure, named with its cause.
// stdout is fully buffered (1 MB, set in main) so most outputs are written by this
// flush, which reports the cause (a full disk); an earlier failed write is caught by
// ferror.
int check_stdout() {
  int err = 0;
  if (std::fflush(stdout) != 0) {  // before std::cout's flush, which would eat the errno
    err = errno;
  } else if (std::cout.flush(), std::ferror(stdout) || std::cout.fail()) {
    err = EIO;
  }
  if (err == 0) return 0;
  return fail(err == ENOSPC || err == EDQUOT || err == EFBIG ? 1 : 2,
              std::string("<stdout>: write error: ") + std::strerror(err));
}

}  // namespace

int main(int argc, char** argv) {
#if MEG_WITH_MPI
  const meg::dist::Runtime mpi(&argc, &argv);  // MPI only when launched by mpirun
  if (meg::dist::rank() != 0) g_quiet_signals = 1;
#endif
  CLI::App app{
      "meg: learn a MEG model (an ensemble of GANBLR units) from a table and generate "
      "realistic synthetic rows"};
  app.set_version_flag("--version", std::string("meg ") + meg::kVersion);
  app.require_subcommand(1);
  if (!::isatty(STDOUT_FILENO)) {
    static char stdout_buffer[1 << 20];
    std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (const auto& s : kFatalSignals) sigaddset(&sa.sa_mask, s.number);
  for (const auto& s : kFatalSignals) {
    // A signal ignored by the parent (nohup, a shell's `trap '' PIPE`) stays ignored.
    struct sigaction old {};
    if (::sigaction(s.number, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(s.number, &sa, nullptr);
  }
  ::signal(SIGXFSZ, SIG_IGN);
  app.fallthrough(false);
  meg::set_log_sink([](meg::LogLevel level, std::string_view msg) {
    const char* tag = level >= meg::LogLevel::Warning ? "meg: warning: " : "meg: ";
    std::cerr << tag << printable(std::string(msg)) << '\n';
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
  } catch (const CLI::Success&) {  // a listing (augment --list-options) was printed
    return 0;
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
  return check_stdout();
}
