// libFuzzer target: the model loader. An input that starts with the MEGMODEL
// signature goes through the container check (header, length, checksum) as a
// model file would; any other input is taken as the CBOR payload, wrapped in a
// valid container, so the fuzzer reaches the model-tree validation behind the
// checksum. A model that loads is then sampled and described.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "ensemble/meg_model.hpp"
#include "ensemble/model_io.hpp"
#include "meg/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    nlohmann::json tree;
    if (size >= 8 && std::memcmp(data, "MEGMODEL", 8) == 0) {
      tree = meg::ensemble::decode_model_file(bytes, "fuzz.meg");
    } else {
      nlohmann::json payload = nlohmann::json::from_cbor(bytes, true, false);
      if (payload.is_discarded()) return 0;
      tree = meg::ensemble::decode_model_file(meg::ensemble::encode_model_file(payload),
                                              "fuzz.meg");
    }
    meg::ensemble::MegModel m = meg::ensemble::MegModel::from_json(tree);
    m.sample_csv(40, 1, 1);
    m.to_json();
  } catch (const meg::Error&) {
  }
  return 0;
}
