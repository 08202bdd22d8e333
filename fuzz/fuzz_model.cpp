// libFuzzer target: the model loader. An input that starts with the MEGMODEL
// signature goes through the container check (header, length, checksum) as a
// model file would; any other input is taken as the CBOR payload and wrapped in a
// valid container (right length and checksum), so the fuzzer reaches the payload
// parser and the model-tree validation behind the checksum. A model that loads
// is then sampled and serialised again.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/checksum.hpp"
#include "ensemble/meg_model.hpp"
#include "ensemble/model_io.hpp"
#include "meg/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    if (size < 8 || std::memcmp(data, "MEGMODEL", 8) != 0) {
      // Wrap the input as the payload of a valid container (magic, version 1, length, checksum).
      std::string file("MEGMODEL", 8);
      auto put = [&](uint64_t v, int n) {
        for (int i = 0; i < n; ++i) file.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
      };
      put(meg::ensemble::kModelFormatVersion, 4);
      put(0, 4);
      put(bytes.size(), 8);
      put(meg::core::fnv1a64(bytes), 8);
      bytes = file + bytes;
    }
    nlohmann::json tree = meg::ensemble::decode_model_file(bytes, "fuzz.meg");
    meg::ensemble::MegModel m = meg::ensemble::MegModel::from_json(tree);
    m.sample_csv(40, 1, 1);
    m.to_json();
  } catch (const meg::Error&) {
  }
  return 0;
}
