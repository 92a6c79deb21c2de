// Frame sinks: what an established session does with the PPP frames it
// receives until PPP itself runs in the gateway.
//
// The LCP echo sink understands just enough of PPP (RFC 1661 §5.8) to prove
// that frames cross a tunnel both ways with a real peer: it answers
// Echo-Request with Echo-Reply and sends its own Echo-Request periodically.
#pragma once

#include <cstdint>
#include <optional>

#include "core/packet_buf.hpp"
#include "core/wire.hpp"

namespace l2sec::gateway {

// From the specification: PPP in HDLC-like framing (RFC 1662 §3.1) keeps
// address 0xFF and control 0x03 in front of the protocol field; L2TP peers
// may send or omit them (RFC 1661 ACFC).
inline constexpr std::uint16_t kPppLcp = 0xC021;
inline constexpr std::uint8_t kLcpEchoRequest = 9;
inline constexpr std::uint8_t kLcpEchoReply = 10;

struct LcpPacket {
  bool has_address_control = false;  // frame started with FF 03
  std::uint8_t code = 0;
  std::uint8_t identifier = 0;
  Bytes data;  // after the 4-octet LCP header (Length-bounded)
};

// Returns the LCP packet in a PPP frame, or nullopt when the frame is not
// LCP or its LCP header is truncated or inconsistent.
std::optional<LcpPacket> parse_lcp(Bytes frame);

// Builds "FF 03 C0 21 code id length magic(0) data" (with address/control
// when requested) into a fresh PacketBuf with headroom for L2TP and below.
PacketBuf build_lcp_echo(std::uint8_t code, std::uint8_t identifier, bool address_control, Bytes data);

}  // namespace l2sec::gateway
