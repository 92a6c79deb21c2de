// Fuzz target: one X.25 packet through the packet layer codec
// (transports/xot/x25.hpp), and Data user data through the M-bit
// segmenter and reassembler (transports/xot/mbit.hpp).
// Input: the X.25 packet (an XOT payload).
// Invariants: never crashes; a refused packet moves exactly one counter;
// whatever decodes encodes again (every decoded field fits the encoder),
// and the encoding decodes to the same fields and re-encodes to the same
// bytes; a Call User Data classification counts exactly when it refuses;
// Data user data split at any packet size reassembles to itself.
// Violations trap. Corpus: tests/fuzz/x25_packet/.
#include <algorithm>
#include <cstdint>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "transports/xot/mbit.hpp"
#include "transports/xot/x25.hpp"

#define X25_CHECK(cond)            \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

namespace {

using namespace l2sec;
using namespace l2sec::transports::xot;

std::uint64_t total(const Counters& c) {
  std::uint64_t n = 0;
  c.for_each_nonzero([&](Ctr, std::uint64_t v) { n += v; });
  return n;
}

bool same_bytes(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

bool same(const Packet& a, const Packet& b) {
  const Facilities& fa = a.facilities;
  const Facilities& fb = b.facilities;
  return a.hdr == b.hdr && a.type == b.type && a.ps == b.ps && a.pr == b.pr && a.m == b.m &&
         a.cause == b.cause && a.diagnostic == b.diagnostic && a.has_call_fields == b.has_call_fields &&
         a.called == b.called && a.calling == b.calling && fa.packet_size == fb.packet_size &&
         fa.window_size == fb.window_size && same_bytes(a.user_data, b.user_data) &&
         a.pvc.status == b.pvc.status && a.pvc.initiator_lcn == b.pvc.initiator_lcn &&
         a.pvc.responder_lcn == b.pvc.responder_lcn && a.pvc.in_window == b.pvc.in_window &&
         a.pvc.out_window == b.pvc.out_window && a.pvc.in_packet == b.pvc.in_packet &&
         a.pvc.out_packet == b.pvc.out_packet && same_bytes(a.pvc.initiator_name, b.pvc.initiator_name) &&
         same_bytes(a.pvc.responder_name, b.pvc.responder_name);
}

void segment_and_join(Bytes pdu, std::size_t packet_size) {
  Counters c;
  Reassembler r(kMaxUserData, packet_size);
  Segmenter s(pdu, packet_size);
  std::size_t packets = 0;
  const std::size_t want_packets = s.count();
  while (!s.done()) {
    const Segment seg = s.next();
    ++packets;
    auto got = r.add(seg.data, seg.more, false, c);
    X25_CHECK(got.ok());
    X25_CHECK(got->has_value() == !seg.more);
    if (got->has_value()) X25_CHECK(same_bytes((*got)->data, pdu) && (*got)->packets == packets);
  }
  X25_CHECK(packets == want_packets && c[Ctr::x25_reasm_pdus] == 1 && total(c) == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes in(data, size);
  Counters c;
  auto d = decode(in, c);
  if (!d.ok()) {
    X25_CHECK(total(c) == 1);
    return 0;
  }
  X25_CHECK(total(c) == d->facilities.ignored);  // only skipped facilities are counted
  X25_CHECK(d->user_data.size() <= kMaxUserData);

  PacketBuf out(512);
  auto e = encode(*d, out);
  X25_CHECK(e.ok());
  X25_CHECK(out.size() == *encoded_size(*d) && out.size() <= size);
  Counters c2;
  auto again = decode(out.bytes(), c2);
  X25_CHECK(again.ok() && total(c2) == 0);
  X25_CHECK(same(*again, *d));
  PacketBuf out2(512);
  X25_CHECK(encode(*again, out2).ok());
  X25_CHECK(same_bytes(out.bytes(), out2.bytes()));

  if (d->type == Type::call_request) {
    Counters c3;
    auto k = classify_cud(d->user_data, kDefaultSecuredCodePoint, c3);
    X25_CHECK(total(c3) == (k.ok() ? 0u : 1u));
  }
  if (d->type == Type::data) {
    const std::size_t packet_size = std::size_t{1} << (4 + (size % 9));  // 16..4096
    segment_and_join(d->user_data, packet_size);
  }
  return 0;
}
