#include "dist/comm.hpp"

#include <mpi.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "meg/error.hpp"

namespace meg::dist {
namespace {

bool g_started = false;
bool g_collectives = false;  // a collective was entered
bool g_agreed = false;       // agree() threw
Traffic g_traffic;

constexpr size_t kPiece = size_t{1} << 30;

// The watchdog of MEG_MPI_TIMEOUT: the time a timed wait began (0: none).
double g_timeout = 0;
std::atomic<int64_t> g_wait_since{0};
std::atomic<bool> g_stop{false};
std::thread g_watchdog;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Marks a blocking MPI call for the watchdog.
class Wait {
 public:
  explicit Wait(bool timed = true) : timed_(timed && g_timeout > 0) {
    if (timed_) g_wait_since = now_ns();
  }
  ~Wait() {
    if (timed_) g_wait_since = 0;
  }
  Wait(const Wait&) = delete;
  Wait& operator=(const Wait&) = delete;

 private:
  bool timed_;
};

void watch(int me) {
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int64_t since = g_wait_since;
    if (since != 0 && static_cast<double>(now_ns() - since) > g_timeout * 1e9) {
      const std::string line =
          "meg: error: rank " + std::to_string(me) + " waited more than " +
          std::to_string(static_cast<long long>(g_timeout)) +
          " s for the other ranks (MEG_MPI_TIMEOUT): one is stuck or slower; ending the job\n";
      (void)!::write(STDERR_FILENO, line.data(), line.size());
      ::_exit(1);
    }
  }
}

// MEG_MPI_TIMEOUT in seconds (0 when unset); exits with one line when it is not a
// number > 0 (printed by the rank mpirun numbers 0).
double timeout_from_env() {
  const char* v = std::getenv("MEG_MPI_TIMEOUT");
  if (!v || !*v) return 0;
  char* end = nullptr;
  const double t = std::strtod(v, &end);
  if (*end != '\0' || !(t > 0)) {
    const char* r = std::getenv("OMPI_COMM_WORLD_RANK");
    if (!r || std::string(r) == "0") {
      std::fprintf(stderr, "meg: error: MEG_MPI_TIMEOUT: expected seconds > 0, got '%s'\n", v);
    }
    std::exit(2);
  }
  return t;
}

// Error kinds carried between ranks, so every rank throws the same type.
enum Kind : int { kNone = 0, kData, kArgument, kIo, kModel, kOther };

Kind kind_of(const std::exception_ptr& e, std::string& message) {
  try {
    std::rethrow_exception(e);
  } catch (const DataError& x) {
    message = x.what();
    return kData;
  } catch (const InvalidArgument& x) {
    message = x.what();
    return kArgument;
  } catch (const IoError& x) {
    message = x.what();
    return kIo;
  } catch (const ModelFormatError& x) {
    message = x.what();
    return kModel;
  } catch (const std::exception& x) {
    message = x.what();
    return kOther;
  }
}

[[noreturn]] void throw_kind(int kind, const std::string& message) {
  switch (kind) {
    case kData:
      throw DataError(message);
    case kArgument:
      throw InvalidArgument(message);
    case kIo:
      throw IoError(message);
    case kModel:
      throw ModelFormatError(message);
    default:
      throw Error(message);
  }
}

// Waits for `request` sleeping between tests (1 us doubling to `longest`). OpenMPI's
// blocking calls spin: a rank that waits for another would take a core from it (or from
// another job on the machine) for as long as it waits.
void idle_until_done(MPI_Request& request,
                     std::chrono::microseconds longest = std::chrono::milliseconds(10)) {
  int done = 0;
  auto pause = std::chrono::microseconds(1);
  while (true) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, longest);
  }
}

// The longest pause of a wait at a collective that the ranks reach within milliseconds of
// each other (a unit's count sums, the shared tasks' results).
constexpr std::chrono::microseconds kShortPause(500);

}  // namespace

bool launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(v)) return true;
  }
  return false;
}

Runtime::Runtime(int* argc, char*** argv) {
  if (!launched()) return;
  g_timeout = timeout_from_env();
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  g_started = true;
  if (g_timeout > 0) g_watchdog = std::thread(watch, rank());
}

Runtime::~Runtime() {
  if (g_started) {
    const Wait wait;
    MPI_Finalize();
  }
  g_started = false;
  g_stop = true;
  if (g_watchdog.joinable()) g_watchdog.join();
}

int rank() {
  if (!g_started) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int size() {
  if (!g_started) return 1;
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

ErrorScope error_scope() {
  if (g_agreed) return ErrorScope::Agreed;
  return g_collectives ? ErrorScope::Local : ErrorScope::Deterministic;
}

void abort_job(int code) {
  if (g_started && size() > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

void agree(const std::exception_ptr& local, bool timed) {
  if (!g_started) {
    if (local) std::rethrow_exception(local);
    return;
  }
  g_collectives = true;
  const int me = rank();
  int first = local ? me : size();
  {
    const Wait wait(timed);
    MPI_Request request;
    MPI_Iallreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &request);
    idle_until_done(request);
  }
  g_traffic.collective_bytes += sizeof(int);
  if (first == size()) return;
  std::string message;
  int kind = kNone;
  if (me == first) kind = kind_of(local, message);
  uint64_t length = message.size();
  const Wait wait;
  MPI_Bcast(&kind, 1, MPI_INT, first, MPI_COMM_WORLD);
  MPI_Bcast(&length, 1, MPI_UINT64_T, first, MPI_COMM_WORLD);
  message.resize(length);
  MPI_Bcast(message.data(), static_cast<int>(length), MPI_CHAR, first, MPI_COMM_WORLD);
  g_traffic.collective_bytes += sizeof kind + sizeof length + length;
  g_agreed = true;
  throw_kind(kind, message);
}

std::vector<uint64_t> allgather(uint64_t value) {
  if (!g_started) return {value};
  g_collectives = true;
  std::vector<uint64_t> out(static_cast<size_t>(size()));
  const Wait wait;
  // Asleep while the others come (allgather_bytes starts with this: its broadcasts then
  // find every rank there).
  MPI_Request request;
  MPI_Iallgather(&value, 1, MPI_UINT64_T, out.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD, &request);
  idle_until_done(request, kShortPause);
  g_traffic.collective_bytes += sizeof value;
  return out;
}

uint64_t allreduce_sum(uint64_t value) {
  if (!g_started) return value;
  g_collectives = true;
  const Wait wait;
  MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  g_traffic.collective_bytes += sizeof value;
  return value;
}

namespace {

template <class T>
void sum_in_place(std::span<T> values, MPI_Datatype type) {
  if (!g_started || values.empty()) return;
  g_collectives = true;
  const Wait wait;
  // The ranks meet first at a barrier they wait for asleep (a rank that counted its
  // share sooner would otherwise spin in the sum until the others come), then sum with
  // MPI's blocking allreduce, which moves large vectors fastest. The pause is short: the
  // ranks arrive within milliseconds of each other, once a unit.
  {
    MPI_Request request;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    idle_until_done(request, kShortPause);
  }
  constexpr size_t kMaxCount = size_t{1} << 28;  // elements a call (an int count)
  for (size_t at = 0; at < values.size(); at += kMaxCount) {
    const size_t len = std::min(kMaxCount, values.size() - at);
    MPI_Allreduce(MPI_IN_PLACE, values.data() + at, static_cast<int>(len), type, MPI_SUM,
                  MPI_COMM_WORLD);
  }
  const uint64_t bytes = values.size() * sizeof(T);
  g_traffic.collective_bytes += bytes;
  g_traffic.reduced_bytes += bytes;
}

}  // namespace

void allreduce_sum(std::span<uint32_t> values) { sum_in_place(values, MPI_UINT32_T); }

void allreduce_sum(std::span<uint64_t> values) { sum_in_place(values, MPI_UINT64_T); }

std::vector<std::vector<char>> allgather_bytes(const std::vector<char>& bytes) {
  if (!g_started) return {bytes};
  const std::vector<uint64_t> sizes = allgather(bytes.size());
  std::vector<std::vector<char>> out(sizes.size());
  const int me = rank();
  const Wait wait;
  for (size_t r = 0; r < sizes.size(); ++r) {
    if (static_cast<int>(r) == me) {
      out[r] = bytes;
    } else {
      out[r].resize(sizes[r]);
    }
    for (size_t at = 0; at < sizes[r]; at += kPiece) {
      const size_t len = std::min<size_t>(kPiece, sizes[r] - at);
      MPI_Bcast(out[r].data() + at, static_cast<int>(len), MPI_CHAR, static_cast<int>(r),
                MPI_COMM_WORLD);
    }
  }
  g_traffic.collective_bytes += bytes.size();
  g_traffic.allgathered_bytes += bytes.size();
  return out;
}

void allgather_into(const std::vector<std::span<char>>& parts, const std::vector<int>& owner) {
  if (!g_started) return;
  if (parts.size() != owner.size()) throw Error("distributed fit: parts without owners");
  g_collectives = true;
  const Wait wait;
  {  // asleep while the others come (as allgather's start)
    MPI_Request request;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    idle_until_done(request, kShortPause);
  }
  const int me = rank();
  for (size_t i = 0; i < parts.size(); ++i) {
    for (size_t at = 0; at < parts[i].size(); at += kPiece) {
      const size_t len = std::min<size_t>(kPiece, parts[i].size() - at);
      MPI_Bcast(parts[i].data() + at, static_cast<int>(len), MPI_CHAR, owner[i], MPI_COMM_WORLD);
    }
    if (owner[i] == me) {
      g_traffic.collective_bytes += parts[i].size();
      g_traffic.allgathered_bytes += parts[i].size();
    }
  }
}

void send_to_root(const std::vector<char>& bytes) {
  g_collectives = true;
  const Wait wait;
  uint64_t n = bytes.size();
  MPI_Send(&n, 1, MPI_UINT64_T, 0, 0, MPI_COMM_WORLD);
  for (size_t at = 0; at < bytes.size(); at += kPiece) {
    const size_t len = std::min(kPiece, bytes.size() - at);
    MPI_Send(bytes.data() + at, static_cast<int>(len), MPI_CHAR, 0, 1, MPI_COMM_WORLD);
  }
  g_traffic.sent_bytes += n + sizeof n;
}

std::vector<char> receive_from(int source) {
  g_collectives = true;
  const Wait wait;
  uint64_t n = 0;
  MPI_Request request;
  MPI_Irecv(&n, 1, MPI_UINT64_T, source, 0, MPI_COMM_WORLD, &request);
  idle_until_done(request);
  std::vector<char> bytes(n);
  for (size_t at = 0; at < n; at += kPiece) {
    const size_t len = std::min<size_t>(kPiece, n - at);
    MPI_Recv(bytes.data() + at, static_cast<int>(len), MPI_CHAR, source, 1, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
  g_traffic.received_bytes += n + sizeof n;
  return bytes;
}

const Traffic& traffic() { return g_traffic; }

}  // namespace meg::dist
