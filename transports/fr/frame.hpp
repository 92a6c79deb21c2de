// One call per frame for the Frame Relay data path: the Q.922 address
// (q922.hpp) and the RFC 2427 header (rfc2427.hpp) in front of a PDU, in
// PacketBuf headroom, no allocation. A frame here is what DLT_FRELAY
// captures carry: from the address to the end of the information field,
// without HDLC flags and FCS (the underlay's business).
//
//   encode(dlci, Kind::esp, pkt):   pkt = ESP packet
//                               ->  pkt = [addr 2-4][03 00 80 OUI PID][50] ESP packet
//   decode(pkt):                    the reverse: {address, kind}, pkt = ESP packet
//
// The header is at most kMaxFrameHeaderSize (13) octets, well inside
// PacketBuf::kDefaultHeadroom; a smaller headroom costs one reallocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "transports/fr/q922.hpp"
#include "transports/fr/rfc2427.hpp"

namespace l2sec::transports::fr {

inline constexpr std::size_t kMaxFrameHeaderSize = kMaxAddressSize + kMaxHeaderSize;

struct FrameConfig {
  SecuredCodePoint secured{};
  std::uint8_t address_size = 2;  // Q.922 address octets we send: 2, 3 or 4
};

struct Frame {
  Address address;  // DLCI, C/R, FECN, BECN, DE and the size it came with
  Kind kind = Kind::other;
};

class FrameCodec {
 public:
  // 2-octet addresses, the default secured code point.
  FrameCodec() = default;
  // Fails with out_of_range (address size not 2, 3 or 4) or exists (the
  // secured code point is the clear L2TP one, rfc2427.hpp validate()).
  static Result<FrameCodec> create(const FrameConfig& cfg);

  const FrameConfig& config() const { return cfg_; }

  // Prepends address + RFC 2427 header (+ dispatch octet for the secured
  // kinds) to the PDU in pkt. For Kind::lmi the PDU must start with its
  // protocol discriminator (08 Q.933 / ANSI, 09 Cisco), which is the NLPID.
  // Fails, leaving pkt unchanged, with:
  //   out_of_range  the DLCI does not fit config().address_size, or a data
  //                 kind on a signalling DLCI (0, all-ones), or LMI on a
  //                 data DLCI;
  //   unsupported   Kind::other.
  Result<void> encode(std::uint32_t dlci, Kind kind, PacketBuf& pkt, Flags flags = {}) const;

  // Parses and strips address and header; pkt is left holding the PDU (for
  // LMI: from its protocol discriminator on). The address may be 2, 3 or 4
  // octets whatever config().address_size says. Kind::other is a frame
  // that is well formed but not ours (already counted, see rfc2427.hpp
  // read_header): only its address is stripped, and the caller drops it
  // without counting again. Errors (pkt unchanged, one counter each): those
  // of q922.hpp read_address and rfc2427.hpp read_header.
  Result<Frame> decode(PacketBuf& pkt, Counters& counters) const;

 private:
  explicit FrameCodec(const FrameConfig& cfg) : cfg_(cfg) {}
  FrameConfig cfg_{};
};

}  // namespace l2sec::transports::fr
