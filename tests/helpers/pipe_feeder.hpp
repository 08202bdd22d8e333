// Text fed into a pipe by a thread, read back through /dev/fd/N: input that can be
// read only once, like standard input.
#pragma once
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace meg::test {

class PipeFeeder {
 public:
  explicit PipeFeeder(std::string text) : text_(std::move(text)) {
    if (::pipe(fds_) != 0) throw std::runtime_error("pipe failed");
    writer_ = std::thread([this] {
      size_t at = 0;
      while (at < text_.size()) {
        const ssize_t put = ::write(fds_[1], text_.data() + at, text_.size() - at);
        if (put <= 0) break;
        at += static_cast<size_t>(put);
      }
      ::close(fds_[1]);
    });
  }
  ~PipeFeeder() {
    ::close(fds_[0]);  // a reader that stopped early makes the writer's write fail
    writer_.join();
  }
  PipeFeeder(const PipeFeeder&) = delete;
  PipeFeeder& operator=(const PipeFeeder&) = delete;

  // The pipe's read end as a path.
  std::string path() const { return "/dev/fd/" + std::to_string(fds_[0]); }

 private:
  std::string text_;
  int fds_[2] = {-1, -1};
  std::thread writer_;
};

}  // namespace meg::test
