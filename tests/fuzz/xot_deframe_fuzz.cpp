// Fuzz target: a TCP byte stream through the XOT deframer
// (transports/xot/xot.hpp), each packet it yields through the X.25 decoder.
// Input: byte 0 seeds the chunk sizes (and picks the deframer's bound:
// odd = the smallest allowed, even = the largest); the rest is the stream.
// Invariants: never crashes; the stream fed whole and fed in the seeded
// chunks gives the same packets and the same end (broken or not, with the
// same error counter); every packet is 3..bound octets; a broken stream
// moved exactly one xot_rx_* drop counter; a packet re-framed with
// push_header deframes to itself. Violations trap.
// Corpus: tests/fuzz/xot_deframe/.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "transports/xot/x25.hpp"
#include "transports/xot/xot.hpp"

#define XOT_CHECK(cond)            \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

namespace {

using namespace l2sec;
using namespace l2sec::transports::xot;

struct Outcome {
  std::vector<std::vector<std::uint8_t>> packets;
  bool broken = false;
  Counters counters;
};

Outcome run(Bytes stream, std::size_t bound, std::uint8_t seed, bool chunked) {
  Outcome o;
  Deframer d(bound);
  std::uint32_t x = seed * 2654435761u + 1;  // a small LCG for chunk sizes
  std::size_t at = 0;
  while (at < stream.size() && !o.broken) {
    std::size_t n = stream.size() - at;
    if (chunked) {
      x = x * 1103515245u + 12345u;
      n = std::min<std::size_t>(n, 1 + (x >> 16) % 64);
    }
    Bytes in = stream.subspan(at, n);
    for (;;) {
      auto r = d.next(in, o.counters);
      if (!r.ok()) {
        o.broken = true;
        XOT_CHECK(d.broken());
        break;
      }
      if (!r->has_value()) break;
      const Bytes p = **r;
      XOT_CHECK(p.size() >= kMinPacketLen && p.size() <= d.max_packet());
      o.packets.emplace_back(p.begin(), p.end());
    }
    XOT_CHECK(o.broken || in.empty());
    at += n;
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t seed = data[0];
  const Bytes stream(data + 1, size - 1);
  const std::size_t bound = seed & 1 ? kMinDeframerBound : kMaxPacketLen;

  Outcome whole = run(stream, bound, seed, false);
  Outcome parts = run(stream, bound, seed, true);
  XOT_CHECK(whole.packets == parts.packets);
  XOT_CHECK(whole.broken == parts.broken);
  const Ctr drops[] = {Ctr::xot_rx_bad_version, Ctr::xot_rx_zero_length, Ctr::xot_rx_runt,
                       Ctr::xot_rx_oversize};
  std::uint64_t dropped = 0;
  for (Ctr k : drops) {
    XOT_CHECK(whole.counters[k] == parts.counters[k]);
    dropped += whole.counters[k];
  }
  XOT_CHECK(dropped == (whole.broken ? 1u : 0u));
  XOT_CHECK(whole.counters[Ctr::xot_rx_packets] == whole.packets.size());

  for (const auto& p : whole.packets) {
    Counters c;
    (void)decode(p, c);  // must not crash; x25_packet_fuzz checks the codec itself
    PacketBuf b = PacketBuf::copy_of(p);
    XOT_CHECK(push_header(b).ok());
    Deframer again;
    Bytes in = b.bytes();
    auto r = again.next(in, c);
    XOT_CHECK(r.ok() && r->has_value() && in.empty());
    XOT_CHECK(std::equal((*r)->begin(), (*r)->end(), p.begin(), p.end()));
  }
  return 0;
}
