#include "core/shared_tasks.hpp"

#include "meg/error.hpp"

namespace meg::core {

size_t run_shared(const std::vector<SharedTask>& tasks, CountReducer* reducer) {
  if (reducer == nullptr) {
    for (const SharedTask& t : tasks) t.run();
    return tasks.size();
  }
  // This process's tasks, then one message: each result's length and bytes, in task order.
  const auto [first, last] = reducer->share(tasks.size());
  ByteWriter mine;
  for (size_t i = first; i < last; ++i) {
    tasks[i].run();
    const std::vector<uint8_t> bytes = tasks[i].save();
    mine.put_list(std::span<const uint8_t>(bytes));
  }
  const std::vector<uint8_t> message = mine.take();
  // The processes' shares are contiguous and in process order: the parts' results are
  // the tasks' in order.
  size_t next = 0;
  for (const auto& part : reducer->allgather(message)) {
    ByteReader in(part, "shared results");
    while (!in.done()) {
      if (next >= tasks.size()) throw Error("distributed fit: a process sent too many results");
      const std::vector<uint8_t> bytes = in.get_list<uint8_t>();
      if (next < first || next >= last) tasks[next].load(bytes);
      ++next;
    }
  }
  if (next != tasks.size()) throw Error("distributed fit: shared results are missing");
  return last - first;
}

void ByteWriter::append(const void* p, size_t n) {
  const size_t at = bytes_.size();
  bytes_.resize(at + n);
  if (n != 0) std::memcpy(bytes_.data() + at, p, n);
}

void ByteReader::copy(void* p, size_t n) {
  if (n > bytes_.size() - at_) fail();
  if (n != 0) std::memcpy(p, bytes_.data() + at_, n);
  at_ += n;
}

void ByteReader::fail() const {
  throw Error(std::string("distributed fit: a process's ") + what_ + " are garbled");
}

}  // namespace meg::core
