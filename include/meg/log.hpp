// Logging facade: the library never writes to the terminal itself. Front ends
// install a sink (the CLI writes to stderr, Python routes into `logging`).
#pragma once
#include <functional>
#include <string_view>

namespace meg {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3, Silent = 4 };

using LogSink = std::function<void(LogLevel, std::string_view)>;

void set_log_level(LogLevel level);
LogLevel log_level();
// Installs the sink; an empty function restores the default (discard).
void set_log_sink(LogSink sink);
void log_message(LogLevel level, std::string_view message);

}  // namespace meg
