// XOT framing: X.25 packets over a TCP byte stream (RFC 1613 §4).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          Version (0)          |     Length (of the packet)    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 one X.25 packet (Length octets)               |
//
// RFC 1613 §4.1: a Version other than 0, or a Length that is not a legal
// X.25 packet length, means the TCP connection MUST be closed. A legal
// length here is 3 (the shortest header) up to kMaxPacketLen = 4100: a
// modulo-128 Data packet (4-octet header) with the largest X.25 packet
// size, 4096 octets (facility value 12, SPEC-NOTES §7.3). Anything longer
// is no X.25 packet we could decode, and bounding it bounds our buffer.
// A VC whose negotiated packet size is smaller may pass a lower bound, but
// no lower than kMinDeframerBound: Call and Clear packets (address block,
// 255 octets of facilities, 128 of user data) must still fit.
//
// Sans-IO: the caller reads the socket and hands the bytes over; nothing
// here touches TCP. No allocation after construction.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"
#include "transports/xot/x25.hpp"

namespace l2sec::transports::xot {

// ---- From the specification (RFC 1613 §4.1, §5) ----
inline constexpr std::uint16_t kTcpPort = 1998;
inline constexpr std::size_t kHeaderLen = 4;
inline constexpr std::uint16_t kVersion = 0;

// ---- Our choice ----
// Longest Call Request we decode: header 3, address block 1 + 15, facility
// length 1 + 255, Call User Data 128.
inline constexpr std::size_t kMinDeframerBound = 3 + 16 + 256 + kMaxCallUserData;
static_assert(kMinDeframerBound <= kMaxPacketLen);

// Splits a TCP byte stream into X.25 packets. Takes chunks of any size:
// a header cut anywhere, several packets in one chunk.
class Deframer {
 public:
  // max_packet: the largest Length accepted, clamped to
  // [kMinDeframerBound, kMaxPacketLen].
  explicit Deframer(std::size_t max_packet = kMaxPacketLen);

  // Takes bytes from the front of `in` (advancing it) up to the end of the
  // next complete packet, or all of it. Returns:
  //   - the packet (a view valid until the next call: into `in` when it
  //     arrived whole in one chunk, else into the deframer's own buffer),
  //     counting xot_rx_packets;
  //   - std::nullopt when `in` ran out first (call again with more bytes);
  //   - an Error (malformed) when the stream is broken: Version not 0
  //     (xot_rx_bad_version), Length 0 (xot_rx_zero_length), 1 or 2
  //     (xot_rx_runt), above the bound (xot_rx_oversize). The caller MUST
  //     close the TCP connection (RFC 1613 §4.1). The deframer stays
  //     broken: later calls consume nothing and return the same error
  //     without counting again.
  // Loop until nullopt or an error to drain a chunk.
  Result<std::optional<Bytes>> next(Bytes& in, Counters& counters);

  bool broken() const { return broken_.has_value(); }
  // Octets held of a packet (or header) not yet complete.
  std::size_t pending() const { return hdr_len_ + body_len_; }
  std::size_t max_packet() const { return max_; }
  // Forgets a partial packet and a broken state (a new TCP connection).
  void reset();

 private:
  std::size_t max_;
  std::array<std::uint8_t, kHeaderLen> hdr_{};
  std::size_t hdr_len_ = 0;
  std::size_t want_ = 0;      // Length of the current packet, once the header is whole
  std::size_t body_len_ = 0;  // octets of it buffered
  std::vector<std::uint8_t> buf_;
  std::optional<Error> broken_;
};

// Prepends the XOT header to the X.25 packet in pkt (into its headroom).
// Fails with out_of_range, leaving pkt unchanged, for an empty packet, one
// under 3 octets or over kMaxPacketLen.
Result<void> push_header(PacketBuf& pkt);

}  // namespace l2sec::transports::xot
