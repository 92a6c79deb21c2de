// Fuzz target: parse_config() on arbitrary text must never crash, hang or
// throw, and must return exactly one of a configuration or errors.
//
// Secret files named by the input are resolved against a directory that does
// not exist; absolute paths may be opened, but only regular files of mode
// 0600 or stricter are ever read (config_secret.hpp), and never a FIFO.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = l2sec::gateway::parse_config(text, "fuzz.toml", "/nonexistent-l2sec-fuzz");
  if (r.config.has_value() == !r.errors.empty()) std::abort();
  for (const auto& e : r.errors) {
    if (e.message.empty()) std::abort();
    (void)e.to_string();
  }
  return 0;
}
