// L2TPv2 data messages (RFC 2661 §3.1, §5.3, §5.4): the header in front of
// a PPP frame, and the per-session sequencing state.
//
// We send (T=0):
//   |0|L|x|x|S|x|0|0|x|x|x|x| Ver=2 |  Length (when L)  |
//   |  peer's Tunnel ID  |  peer's Session ID  |
//   |  Ns (when S)       |  Nr = 0 (when S; reserved in data, §3.1) |
//   PPP frame (address/control and protocol, no HDLC framing)
// We receive any legal data header: L, S, O (offset pad skipped) and P.
//
// Sequencing (§5.4): if Sequencing Required was exchanged at call setup,
// Ns is always present. Otherwise the LNS decides: the LAC sends Ns/Nr
// exactly when the last data message it received carried them. Data Ns
// only detect loss and reordering: a message older than the next expected
// Ns is dropped (l2tp_data_rx_out_of_order); gaps are accepted.
#pragma once

#include <cstdint>

#include "core/packet_buf.hpp"
#include "l2tp/header.hpp"

namespace l2sec::l2tp {

// Sequencing state of one session's data channel.
struct DataSeq {
  std::uint16_t ns = 0;        // Ns of the next data message we send
  std::uint16_t nr = 0;        // next Ns we expect from the peer
  bool rx_started = false;     // a sequenced message has been received
  bool tx = false;             // we put Ns/Nr in the messages we send
  bool required = false;       // Sequencing Required exchanged: always on
};

// Prepends the data header to `frame` (in its headroom; the payload does
// not move). Uses and advances seq.ns when seq.tx.
void push_data_header(PacketBuf& frame, std::uint16_t peer_tunnel, std::uint16_t peer_session,
                      bool length_field, DataSeq& seq);

// What to do with a received data message whose header is `h`.
enum class DataVerdict : std::uint8_t { deliver, old };

// Applies the received header to seq: checks Ns against the expected value
// (returns old when it precedes it) and, when `we_are_lac` and sequencing is
// not required, follows the peer in turning sequencing on or off (§5.4).
DataVerdict on_data_received(const Header& h, bool we_are_lac, DataSeq& seq);

}  // namespace l2sec::l2tp
