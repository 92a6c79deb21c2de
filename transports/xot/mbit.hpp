// One PDU as one X.25 complete packet sequence (RFC 1356 §3.1; X.25 §4.3,
// SPEC-NOTES §7.3): a PDU longer than the packet size goes out as Data
// packets with M = 1 on all but the last, each of them full; the receiver
// joins them until M = 0.
//
// Pure objects with no clock and no windows: P(S)/P(R), flow control and
// the Reset on error belong to the VC state machine, which calls these.
//
// Our rules:
//   - a PDU ends at the first packet with M = 0 (RFC 1356 uses the M bit
//     only; the D bit does not end a sequence here);
//   - a packet with M = 1 must carry exactly the packet size (X.25: a
//     partially full M = 1 packet is an error, diagnostic 165);
//   - every packet of a sequence has the same Q bit (X.25, [R]);
//   - the reassembled PDU is bounded (configured; RFC 1356 §3.6 requires at
//     least 1600 octets): the excess sequence is dropped up to its M = 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/counters.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"

namespace l2sec::transports::xot {

// The user data field of one Data packet of a sequence.
struct Segment {
  Bytes data;
  bool more = false;  // the M bit
};

// Splits `pdu` into segments of `packet_size` octets (the last one shorter
// or equal; an empty PDU is one empty segment with M = 0). packet_size must
// be non-zero (it is a negotiated X.25 packet size, 16..4096). The views
// point into pdu.
class Segmenter {
 public:
  Segmenter(Bytes pdu, std::size_t packet_size);
  // How many Data packets the PDU takes.
  std::size_t count() const;
  bool done() const { return done_; }
  // The next segment; after the last one (more == false), done() is true.
  Segment next();

 private:
  Bytes rest_;
  std::size_t size_;
  bool done_ = false;
};

struct Pdu {
  Bytes data;               // valid until the next call on the Reassembler
  bool q = false;           // the sequence's Q bit
  std::size_t packets = 0;  // Data packets it came in
};

// Joins the Data packets of one VC into PDUs. The buffer (max_pdu octets)
// is allocated once, at construction.
class Reassembler {
 public:
  // max_pdu: the largest PDU accepted; packet_size: the negotiated packet
  // size of the VC's receive direction (the size an M = 1 packet must have).
  Reassembler(std::size_t max_pdu, std::size_t packet_size);

  // Takes the user data of the next in-sequence Data packet. Returns the
  // PDU when this packet ends it (counting x25_reasm_pdus; a one-packet PDU
  // is handed out as a view of user_data itself), nullopt while more is to
  // come, or an error (malformed) the VC answers with a Reset:
  //   x25_reasm_partial_m   M = 1 and not exactly packet_size octets;
  //   x25_reasm_q_mismatch  the Q bit differs from the sequence's first packet;
  //   x25_reasm_overflow    the sequence outgrows max_pdu.
  // After any of these the partial PDU is gone; after an overflow the rest
  // of that sequence, up to and including its M = 0 packet, is discarded
  // (x25_reasm_discarded, one per packet, returning nullopt).
  Result<std::optional<Pdu>> add(Bytes user_data, bool more, bool q, Counters& counters);

  // Drops a partial sequence (Reset or Clear of the VC), counting
  // x25_reasm_aborted if there was one.
  void reset(Counters& counters);
  void set_packet_size(std::size_t packet_size) { packet_size_ = packet_size; }

  std::size_t pending() const { return len_; }
  bool discarding() const { return discarding_; }

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t packet_size_;
  std::size_t len_ = 0;
  std::size_t packets_ = 0;
  bool q_ = false;
  bool discarding_ = false;
};

}  // namespace l2sec::transports::xot
