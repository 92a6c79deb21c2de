// What ESP carries in each mode for L2TP, and the IP-less UDP header of
// circuits (DESIGN.md §1, §3). Pure functions over PacketBuf: headers go
// into the headroom on send and are pulled off on receive, no allocation.
//
//   transport (IP, RFC 3193 §2.1):  UDP(src port, dst port, len, checksum) | L2TP      NH 17
//   tunnel (IP):                     IPv4 (20) or IPv6 (40) | UDP | L2TP               NH 4 / 41
//   ipless (circuit):                L2TP                                               NH 115
//   IP-less UDP (IKE on circuits):   UDP(500, 500, len, checksum 0) | ISAKMP   (not inside ESP)
//
// Checksums: on send the inner UDP checksum is computed over the RFC 768 /
// RFC 8200 §8.1 pseudo-header of the inner addresses (never 0 on IPv6; a
// computed 0 is sent as 0xFFFF); the tunnel-mode IPv4 header checksum too.
// On receive: a UDP checksum of 0 is accepted on IPv4 (RFC 768 "no
// checksum"), refused on IPv6; a non-zero one is verified unless
// `verify_udp_checksum` is false (RFC 3948 §3.1.2: after NAT the transport
// checksum cannot be right; the ESP ICV already covers the bytes).
#pragma once

#include <cstdint>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "esp/sad.hpp"

namespace l2sec::esp {

inline constexpr std::uint8_t kNextHeaderIpv4 = 4;
inline constexpr std::uint8_t kNextHeaderIpv6 = 41;
inline constexpr std::size_t kUdpHeaderSize = 8;
inline constexpr std::uint16_t kIkePort = 500;
inline constexpr std::uint16_t kNattPort = 4500;

// The inner packet's two ends: addresses and UDP ports on IP, circuits on a
// circuit (ipless mode takes them from the SA's outer endpoints).
struct InnerFlow {
  Endpoint src;
  Endpoint dst;
};

// Prepends what `mode` carries in front of the L2TP packet in pkt and
// returns the Next Header to put in the ESP trailer. `flow` gives the inner
// addresses and ports (transport/tunnel: both IP of one family; ipless:
// ignored). Errors: out_of_range when the packet would exceed 65535 octets
// of UDP/IP, invalid_state for a flow that does not fit the mode.
// The IPv4 identification of tunnel mode comes from `ip_id` (the caller
// counts); TTL 64, DF clear; IPv6 hop limit 64, flow label 0.
Result<std::uint8_t> push_inner(Mode mode, const InnerFlow& flow, PacketBuf& pkt, std::uint16_t ip_id = 0);

struct PullOptions {
  bool verify_udp_checksum = true;
};
// The reverse, after decap: checks that `next_header` is what `mode`
// carries (esp_rx_unexpected_next_header), parses and strips the inner
// headers (esp_rx_inner_malformed: truncated, UDP length or IP total length
// not the packet's, IP version/protocol/fragment bits wrong;
// esp_rx_inner_bad_checksum), and returns the inner flow. For ipless, the
// flow is {outer_src, outer_dst} and nothing is stripped. For transport,
// the inner addresses are the outer ones (outer_src/outer_dst ports are
// ignored: the ports come from the inner UDP header). Each failure counts in
// `counters` and returns Errc::malformed; pkt is then unspecified.
Result<InnerFlow> pull_inner(Mode mode, std::uint8_t next_header, const Endpoint& outer_src,
                             const Endpoint& outer_dst, PacketBuf& pkt, Counters& counters,
                             PullOptions opt = {});

// IP-less UDP (DESIGN.md §1): 8-octet header, checksum 0 on send.
void push_ipless_udp(std::uint16_t src_port, std::uint16_t dst_port, PacketBuf& pkt);
struct UdpPorts {
  std::uint16_t src;
  std::uint16_t dst;
};
// Strips the header; the checksum is ignored; the length must equal the
// PDU's (Errc::malformed otherwise, Errc::truncated under 8 octets).
Result<UdpPorts> pull_ipless_udp(PacketBuf& pkt);

// RFC 1071 one's-complement sum helpers (exposed for tests and the medium).
std::uint16_t udp_checksum(const Endpoint& src, const Endpoint& dst, Bytes udp_header_and_payload);
std::uint16_t ipv4_header_checksum(Bytes header);

}  // namespace l2sec::esp

namespace l2sec::esp {
// RFC 3948 §2: what a datagram on UDP 4500 is. The first four octets are an
// SPI (never 0) for ESP, or the Non-ESP Marker (four zero octets) before an
// IKE message; a single 0xFF octet is a NAT-keepalive (§2.3).
enum class NattKind : std::uint8_t { esp, ike, keepalive, runt };
NattKind classify_natt(Bytes datagram) noexcept;
}  // namespace l2sec::esp
