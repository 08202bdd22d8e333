// The MPI side of a distributed run: starting MPI only when the process was
// launched by mpirun (a plain `meg` run never touches MPI), the rank and size, and
// the few collectives the distributed fit and sample use. Errors are agreed
// collectively (agree()) before any rank acts on them, so a bad input on one rank
// stops every rank with the same one-line message, printed once (by rank 0).
#pragma once
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

namespace meg::dist {

// Whether this process was started by mpirun/mpiexec (OpenMPI or PMI variables).
bool launched();

// MPI_Init when launched(), MPI_Finalize at the end of the scope. With
// MEG_MPI_TIMEOUT=SECONDS in the environment, a rank that waits longer than that at a
// collective (other than an untimed agree()) prints one line and exits with 1,
// and mpirun ends the job: a stuck rank (a hung file system) cannot hang the others.
class Runtime {
 public:
  Runtime(int* argc, char*** argv);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
};

int rank();  // 0 when MPI is not running
int size();  // 1 when MPI is not running

// How the error a rank is about to report came about, which says who prints it and
// how the job ends:
//  - Deterministic: raised before any collective (arguments, options): every rank
//    raised the same; rank 0 prints it, every rank exits normally;
//  - Agreed: thrown by agree() on every rank; rank 0 prints it, every rank exits;
//  - Local: raised on this rank alone after collectives began (the others may wait in
//    one): this rank prints it and the job is aborted (MPI_Abort), never left hanging.
enum class ErrorScope { Deterministic, Agreed, Local };
ErrorScope error_scope();
// MPI_Abort of the whole job with `code` (when MPI runs with more than one rank).
void abort_job(int code);

// Every rank passes the error it caught (null: none). When any rank failed, every
// rank throws the error of the lowest failing rank (same type: DataError,
// InvalidArgument, IoError or Error, hence the same exit code); else returns.
// `timed`: the wait counts against MEG_MPI_TIMEOUT (not when waiting for a whole fit).
void agree(const std::exception_ptr& local, bool timed = true);

// Runs fn, then agree()s on what it threw.
template <class Fn>
void agreed(Fn&& fn) {
  std::exception_ptr error;
  try {
    fn();
  } catch (...) {
    error = std::current_exception();
  }
  agree(error);
}

std::vector<uint64_t> allgather(uint64_t value);
uint64_t allreduce_sum(uint64_t value);
// Element-wise sum across the ranks, in place (every rank the same size).
void allreduce_sum(std::span<uint32_t> values);
void allreduce_sum(std::span<uint64_t> values);
// Every rank's bytes, in rank order (any sizes: broadcast in pieces of at most 1 GiB).
std::vector<std::vector<char>> allgather_bytes(const std::vector<char>& bytes);
// The same into buffers the caller holds, when every rank knows every part's size:
// parts[i] belongs to rank owner[i] (the same lists, in the same order, on every rank),
// which holds its bytes there; every other rank receives them there (no copy on the
// sender, no buffer besides the parts).
void allgather_into(const std::vector<std::span<char>>& parts, const std::vector<int>& owner);

// Sends `bytes` to rank 0 (any size: in pieces of at most 1 GiB) / receives them there.
void send_to_root(const std::vector<char>& bytes);
std::vector<char> receive_from(int source);

// Counters of what this rank sent and received through these functions (bytes).
struct Traffic {
  uint64_t collective_bytes = 0;                // its contribution to allgather/allreduce/agreement
  uint64_t reduced_bytes = 0;                   // of which: count sums (allreduce_sum of a span)
  uint64_t allgathered_bytes = 0;               // of which: allgather_bytes
  uint64_t sent_bytes = 0, received_bytes = 0;  // point to point
};
const Traffic& traffic();

}  // namespace meg::dist
