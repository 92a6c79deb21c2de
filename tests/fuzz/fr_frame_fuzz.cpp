// Fuzz target: Frame Relay frame decoding (transports/fr/frame.hpp: the
// Q.922 address, the RFC 2427 header and the secured-channel dispatch).
// Input: byte 0 bit 0 selects the secured code point (0 = the default
// 00-00-5E/0042, 1 = 00-11-22/1234); the rest is one frame as DLT_FRELAY
// carries it (address first, no flags, no FCS).
// Invariants: never crashes or reads out of bounds; a refused frame moves
// exactly one counter and is left unchanged; Kind::other moves exactly one
// counter and loses only its address; a kind we carry moves none and loses
// address + header; what decode accepts (not other) encodes again, with the
// same address size, DLCI and flags, into a frame that decodes to the same
// Frame and payload. Violations trap. Corpus: tests/fuzz/fr_frame/.
#include <cstdint>
#include <vector>

#include "transports/fr/frame.hpp"

#define FR_CHECK(cond)             \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

namespace {

using namespace l2sec;
using namespace l2sec::transports::fr;

std::uint64_t total(const Counters& c) {
  std::uint64_t n = 0;
  c.for_each_nonzero([&](Ctr, std::uint64_t v) { n += v; });
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const SecuredCodePoint cp =
      (data[0] & 1) != 0 ? SecuredCodePoint{{0x00, 0x11, 0x22}, 0x1234} : SecuredCodePoint{};
  const Bytes in(data + 1, size - 1);
  const std::vector<std::uint8_t> original(in.begin(), in.end());

  const FrameCodec dec = *FrameCodec::create({cp, 2});
  PacketBuf pkt = PacketBuf::copy_of(in);
  Counters c;
  auto f = dec.decode(pkt, c);
  if (!f.ok()) {
    FR_CHECK(total(c) == 1);
    FR_CHECK(std::vector<std::uint8_t>(pkt.bytes().begin(), pkt.bytes().end()) == original);
    return 0;
  }
  const Address a = f->address;
  FR_CHECK(a.size >= 2 && a.size <= 4 && a.dlci <= max_dlci(a.size));
  if (f->kind == Kind::other) {
    FR_CHECK(total(c) == 1);
    FR_CHECK(pkt.size() + a.size == in.size());
    return 0;
  }
  FR_CHECK(total(c) == 0);
  const std::size_t stripped = in.size() - pkt.size();
  // The header may carry a pad that we do not send, and LMI keeps its NLPID.
  FR_CHECK(stripped == a.size + header_size(f->kind) || stripped == a.size + header_size(f->kind) + 1 ||
           stripped == a.size + header_size(f->kind) - 1);
  FR_CHECK(is_signalling_dlci(a.dlci, a.size) == (f->kind == Kind::lmi));

  const std::vector<std::uint8_t> payload(pkt.bytes().begin(), pkt.bytes().end());
  auto enc = FrameCodec::create({cp, a.size});
  FR_CHECK(enc.ok());
  FR_CHECK(enc->encode(a.dlci, f->kind, pkt, a.flags).ok());
  auto again = dec.decode(pkt, c);
  FR_CHECK(again.ok());
  FR_CHECK(again->address == a && again->kind == f->kind);
  FR_CHECK(std::vector<std::uint8_t>(pkt.bytes().begin(), pkt.bytes().end()) == payload);
  FR_CHECK(total(c) == 0);
  return 0;
}
