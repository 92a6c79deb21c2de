// Fuzz target: one UDP/1701 datagram through the L2TPv2 header codec and,
// for control messages, the AVP codec with and without a tunnel secret.
// A message that decodes must survive encode -> decode unchanged:
//   clear:  decode(encode(m)) == m (hidden flags of raw AVPs aside: they are
//           sent in clear);
//   hidden: decode(encode(m, hide), secret) == m, unless a value no longer
//           fits once hidden (out_of_range).
// Corpus and crashes: tests/fuzz/l2tp/ (replayed by l2tp_fuzz_replay).
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "crypto/random.hpp"
#include "l2tp/header.hpp"
#include "l2tp/message.hpp"

namespace {

using namespace l2sec;
using namespace l2sec::l2tp;

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

// The secret the hidden-AVP seeds were made with (tools/l2tp_fuzz_seeds.py).
constexpr std::uint8_t kSecret[] = {'s', 'e', 'c', 'r', 'e', 't'};

void check_redecoded(const Decoded& again, const ControlMessage& want) {
  FUZZ_CHECK(again.msg == want);
  FUZZ_CHECK(again.malformed_optional == 0);
  FUZZ_CHECK(again.unknown_optional == again.msg.unrecognized.size());
  FUZZ_CHECK(!again.fault || again.fault->kind == AvpFault::Kind::missing_required);
}

void round_trip(const Decoded& d, Bytes secret, std::size_t seed) {
  // In clear.
  ControlMessage clear = d.msg;
  for (RawAvp& r : clear.unrecognized) r.hidden = false;
  PacketBuf out(1024);
  auto e = encode_control(d.msg, out);
  FUZZ_CHECK(e.ok());  // every decoded value fits in clear
  auto again = decode_control(out.bytes(), {});
  FUZZ_CHECK(again.ok());
  check_redecoded(*again, clear);

  if (secret.empty()) return;
  // Hidden, with the same secret.
  crypto::SeededRandom rnd(seed);
  PacketBuf hidden(1024);
  auto h = encode_control(d.msg, hidden, EncodeOptions{secret, true, &rnd});
  if (!h.ok()) {
    FUZZ_CHECK(h.error().code == Errc::out_of_range);
    return;
  }
  auto back = decode_control(hidden.bytes(), secret);
  FUZZ_CHECK(back.ok());
  check_redecoded(*back, d.msg);
}

void decode_avps(Bytes avps, Bytes secret, std::size_t seed) {
  auto d = decode_control(avps, secret);
  if (!d.ok()) return;
  FUZZ_CHECK(d->msg.unrecognized.size() <= d->unknown_optional);
  if (d->fault) FUZZ_CHECK(d->fault->to_send.result == 2 && d->fault->to_send.error.has_value());
  round_trip(*d, secret, seed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes datagram(data, size);
  auto p = parse_header(datagram);
  if (!p.ok()) return 0;
  FUZZ_CHECK(p->payload_offset + p->payload_size <= size);
  if (!p->hdr.control || p->payload_size == 0) return 0;  // data (a PPP frame) or a ZLB
  const Bytes avps = datagram.subspan(p->payload_offset, p->payload_size);
  decode_avps(avps, {}, size);
  decode_avps(avps, Bytes(kSecret), size);
  return 0;
}
