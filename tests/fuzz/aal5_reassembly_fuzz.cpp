// Fuzz target: AAL5 reassembly (transports/atm/aal5.hpp) with RFC 2684
// classification of what it delivers (rfc2684.hpp).
// Input: byte 0: max_sdu = 48 * (byte 0 + 1) octets (small, so oversize is
// reached); then a sequence of operations, each starting with an op octet:
//   op % 4 == 0: a raw cell: VC = op bit 2 (two VCs), PTI = op >> 5, then
//                48 payload octets from the input (zero-filled if short);
//   op % 4 == 1: time advances by the next octet x 100 ms, on_timeout();
//   op % 4 == 2: an SDU of the next octet + 1 octets taken from the input
//                (zero-filled), segmented and fed cell by cell on VC op bit 2;
//   op % 4 == 3: the next 48 x (next octet % 4 + 1) octets go to decode_cpcs().
// The reassembler's timeout is 1 s.
// Invariants: never crashes; every delivered SDU is 1..max_sdu octets and
// re-encodes to a CPCS-PDU that decode_cpcs accepts; next_deadline() is
// kNever exactly when no VC holds a partial PDU; after on_timeout(kNever)
// nothing is pending. Violations trap. Corpus: tests/fuzz/aal5_reassembly/.
#include <cstdint>
#include <cstring>
#include <vector>

#include "transports/atm/aal5.hpp"
#include "transports/atm/rfc2684.hpp"

#define ATM_CHECK(cond)            \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

using namespace l2sec;
using namespace l2sec::transports::atm;

namespace {

const VcId kVcs[2] = {{1, 32}, {2, 0x1234}};

struct Input {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  // Copies up to `len` octets into out, zero-filling what the input lacks.
  void take(std::uint8_t* out, std::size_t len) {
    const std::size_t k = len < n ? len : n;
    if (k != 0) std::memcpy(out, p, k);
    std::memset(out + k, 0, len - k);
    p += k;
    n -= k;
  }
};

void check_sdu(const Sdu& s, std::size_t max_sdu) {
  ATM_CHECK(!s.payload.empty() && s.payload.size() <= max_sdu);
  std::vector<std::uint8_t> pdu(cpcs_pdu_size(s.payload.size()));
  ATM_CHECK(encode_cpcs(s.payload, s.uu, pdu).ok());
  Counters c;
  auto d = decode_cpcs(pdu, c);
  ATM_CHECK(d.ok() && d->sdu.size() == s.payload.size());
  (void)classify(s.payload, Rfc2684Config{}, c);
}

void check_deadline(const Reassembler& r) {
  const bool pending = r.partial_size(kVcs[0]) != 0 || r.partial_size(kVcs[1]) != 0;
  // A VC discarding the tail of an oversize PDU holds no octets but keeps
  // its timer; so only "pending -> deadline" holds both ways for octets.
  if (pending) ATM_CHECK(r.next_deadline() != kNever);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Input in{data, size};
  ReassemblerConfig cfg;
  cfg.max_sdu = 48u * (in.byte() + 1u);
  cfg.timeout = std::chrono::seconds(1);
  auto made = Reassembler::create(cfg);
  ATM_CHECK(made.ok());
  Reassembler r = std::move(made.value());
  ATM_CHECK(r.add_vc(kVcs[0]).ok() && r.add_vc(kVcs[1]).ok());

  Instant now = kEpoch;
  std::vector<std::uint8_t> sdu, cells;
  while (in.n != 0) {
    const std::uint8_t op = in.byte();
    const VcId vc = kVcs[(op >> 2) & 1];
    switch (op % 4) {
      case 0: {
        std::uint8_t payload[kCellPayloadSize];
        in.take(payload, sizeof payload);
        const CellHeader h{0, vc.vpi, vc.vci, static_cast<std::uint8_t>(op >> 5), false};
        if (auto s = r.on_cell(now, h, Bytes(payload, sizeof payload))) check_sdu(*s, cfg.max_sdu);
        break;
      }
      case 1:
        now += std::chrono::milliseconds(100) * in.byte();
        r.on_timeout(now);
        ATM_CHECK(r.next_deadline() > now);
        break;
      case 2: {
        sdu.resize(in.byte() + 1u);
        in.take(sdu.data(), sdu.size());
        cells.resize(cell_count(sdu.size()) * kCellSize);
        const CellHeader h{0, vc.vpi, vc.vci, 0, false};
        ATM_CHECK(segment_sdu(h, HeaderFormat::uni, sdu, op, cells).ok());
        for (std::size_t off = 0; off < cells.size(); off += kCellSize) {
          auto hh = decode_header(Bytes(cells).subspan(off, kCellHeaderSize), HeaderFormat::uni);
          ATM_CHECK(hh.ok());
          if (auto s = r.on_cell(now, *hh, Bytes(cells).subspan(off + kCellHeaderSize, kCellPayloadSize))) {
            check_sdu(*s, cfg.max_sdu);
          }
        }
        break;
      }
      case 3: {
        std::vector<std::uint8_t> pdu(kCellPayloadSize * (in.byte() % 4 + 1u));
        in.take(pdu.data(), pdu.size());
        Counters c;
        if (auto d = decode_cpcs(pdu, c)) ATM_CHECK(d->sdu.data() == pdu.data() && !d->sdu.empty());
        break;
      }
    }
    check_deadline(r);
  }
  r.on_timeout(kNever);
  ATM_CHECK(r.next_deadline() == kNever);
  ATM_CHECK(r.partial_size(kVcs[0]) == 0 && r.partial_size(kVcs[1]) == 0);
  return 0;
}
