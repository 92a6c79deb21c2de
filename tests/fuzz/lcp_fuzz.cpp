// Fuzz target: the LCP echo sink's parser (src/gateway/sink.hpp) on
// arbitrary PPP frames. A frame it accepts must have its data inside the
// input, and an Echo-Reply built from it must parse back as one.
#include <cstdint>
#include <cstdlib>

#include "gateway/sink.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  l2sec::Bytes in(data, size);
  auto p = l2sec::gateway::parse_lcp(in);
  if (!p) return 0;
  if (!p->data.empty() && (p->data.data() < data || p->data.data() + p->data.size() > data + size))
    __builtin_trap();
  auto reply = l2sec::gateway::build_lcp_echo(l2sec::gateway::kLcpEchoReply, p->identifier,
                                              p->has_address_control, p->data);
  auto back = l2sec::gateway::parse_lcp(reply.bytes());
  if (!back || back->code != l2sec::gateway::kLcpEchoReply || back->identifier != p->identifier)
    __builtin_trap();
  return 0;
}
