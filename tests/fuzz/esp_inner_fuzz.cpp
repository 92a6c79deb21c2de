// Fuzz target: the inner framing of ESP (src/esp/framing.hpp).
// Input: byte 0 selects
//   bits 0-1: 0 = pull_inner transport, 1 = tunnel, 2 = ipless,
//             3 = pull_ipless_udp and classify_natt on the rest;
//   bit 2:    the outer addresses are IPv6 (2001:db8::1 -> ::2), else IPv4
//             (192.0.2.1 -> .2); ipless uses circuits 1 -> 2;
//   bit 3:    verify_udp_checksum = false;
// byte 1 is the Next Header; the rest is the decapsulated payload.
// Invariants: never crashes; a refused packet moves exactly one counter, an
// accepted one none and loses exactly its headers; what pull_inner accepts,
// push_inner frames again into something pull_inner accepts with the same
// flow and payload. Violations trap. Corpus: tests/fuzz/esp_inner/.
#include <cstdint>
#include <vector>

#include "esp/framing.hpp"

#define INNER_CHECK(cond)          \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

namespace {

using namespace l2sec;

std::uint64_t total(const Counters& c) {
  std::uint64_t n = 0;
  c.for_each_nonzero([&](Ctr, std::uint64_t v) { n += v; });
  return n;
}

Endpoint outer(bool v6, std::uint8_t last) {
  if (!v6) return Endpoint::v4({192, 0, 2, last}, 4500);
  std::array<std::uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
  a[15] = last;
  return Endpoint::v6(a, 4500);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned what = data[0] & 3u;
  const bool v6 = (data[0] & 4) != 0;
  const esp::PullOptions opt{.verify_udp_checksum = (data[0] & 8) == 0};
  const std::uint8_t nh = data[1];
  const Bytes in(data + 2, size - 2);

  if (what == 3) {
    PacketBuf pkt = PacketBuf::copy_of(in);
    auto ports = esp::pull_ipless_udp(pkt);
    if (ports.ok()) {
      INNER_CHECK(pkt.size() + esp::kUdpHeaderSize == in.size());
      INNER_CHECK(load_be16(in.data() + 4) == in.size());
    } else {
      INNER_CHECK(ports.error().code ==
                  (in.size() < esp::kUdpHeaderSize ? Errc::truncated : Errc::malformed));
    }
    const auto kind = esp::classify_natt(in);
    if (kind == esp::NattKind::keepalive) INNER_CHECK(in.size() == 1);
    if (kind == esp::NattKind::esp) INNER_CHECK(in.size() >= 8 && load_be32(in.data()) != 0);
    return 0;
  }

  const esp::Mode mode = what == 0 ? esp::Mode::transport : what == 1 ? esp::Mode::tunnel : esp::Mode::ipless;
  const Endpoint src = mode == esp::Mode::ipless ? Endpoint::of_circuit(1) : outer(v6, 1);
  const Endpoint dst = mode == esp::Mode::ipless ? Endpoint::of_circuit(2) : outer(v6, 2);
  PacketBuf pkt = PacketBuf::copy_of(in);
  Counters c;
  auto flow = esp::pull_inner(mode, nh, src, dst, pkt, c, opt);
  if (!flow.ok()) {
    INNER_CHECK(flow.error().code == Errc::malformed);
    INNER_CHECK(total(c) == 1);
    return 0;
  }
  INNER_CHECK(total(c) == 0);
  const std::size_t headers = in.size() - pkt.size();
  switch (mode) {
    case esp::Mode::transport:
      INNER_CHECK(headers == 8);
      break;
    case esp::Mode::tunnel:
      INNER_CHECK(nh == esp::kNextHeaderIpv6 ? headers == 48 : headers >= 28 && headers <= 68);
      break;
    case esp::Mode::ipless:
      INNER_CHECK(headers == 0);
      break;
  }

  const std::vector<std::uint8_t> payload(pkt.bytes().begin(), pkt.bytes().end());
  auto nh2 = esp::push_inner(mode, *flow, pkt, 1);
  INNER_CHECK(nh2.ok());
  auto again = esp::pull_inner(mode, *nh2, src, dst, pkt, c);  // verified whatever opt said
  INNER_CHECK(again.ok());
  INNER_CHECK(again->src == flow->src && again->dst == flow->dst);
  INNER_CHECK(std::vector<std::uint8_t>(pkt.bytes().begin(), pkt.bytes().end()) == payload);
  INNER_CHECK(total(c) == 0);
  return 0;
}
