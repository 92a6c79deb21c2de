// Fuzz target: ATM cell headers, the HEC receiver and the OAM responder
// (transports/atm/cell.hpp, oam.hpp), plus the SunATM pseudo-header.
// Input: byte 0 selects the header format (bit 0: NNI) and whether HEC
// correction is on (bit 1: off); the rest is cut into 53-octet cells (a
// short tail is handed over as a short cell).
// Invariants: never crashes; a header that decodes re-encodes to the same
// octets (its HEC included, after correction); a cell the OAM responder
// answers yields a reply that is itself a valid loopback cell on the same
// flow with indication 0, the same correlation tag and a good CRC-10.
// Violations trap. Corpus: tests/fuzz/atm_cell/.
#include <cstdint>
#include <cstring>

#include "transports/atm/aal5.hpp"
#include "transports/atm/cell.hpp"
#include "transports/atm/oam.hpp"

#define ATM_CHECK(cond)            \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

using namespace l2sec;
using namespace l2sec::transports::atm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const HeaderFormat f = (data[0] & 1) ? HeaderFormat::nni : HeaderFormat::uni;
  HecReceiver rx({f, (data[0] & 2) == 0});
  OamResponder oam({f, std::nullopt});
  const Bytes in(data + 1, size - 1);
  (void)decode_sunatm(in);

  for (std::size_t off = 0; off < in.size(); off += kCellSize) {
    const Bytes cell = in.subspan(off, std::min(kCellSize, in.size() - off));
    if (cell.size() >= kCellHeaderSize) {
      if (auto h = decode_header(cell, f)) {
        ATM_CHECK(validate(*h, f).ok());
        const auto again = encode_header_unchecked(*h, f);
        ATM_CHECK(std::memcmp(again.data(), cell.data(), kCellHeaderSize) == 0);
      }
    }
    auto c = rx.receive(cell);
    if (!c) continue;
    ATM_CHECK(c->payload.size() == kCellPayloadSize);
    const auto hdr = encode_header_unchecked(c->header, f);
    ATM_CHECK(decode_header(hdr, f).ok());
    const CellKind kind = classify(c->header);
    ATM_CHECK(kind != CellKind::idle_or_unassigned);
    if (!is_oam(kind)) continue;

    std::uint8_t reply[kCellSize];
    const auto out = oam.on_cell(c->header, c->payload, reply);
    if (out.event != OamEvent::reply_ready) continue;
    auto rh = decode_header(Bytes(reply, kCellHeaderSize), f);
    ATM_CHECK(rh.ok());
    ATM_CHECK(rh->vc() == c->header.vc() && rh->pti == c->header.pti);
    const Bytes rp(reply + kCellHeaderSize, kCellPayloadSize);
    ATM_CHECK(oam_crc10_ok(rp));
    auto lb = decode_loopback(rp);
    ATM_CHECK(lb.ok() && !lb->request && lb->correlation_tag == out.loopback.correlation_tag);
  }
  return 0;
}
