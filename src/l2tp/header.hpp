// L2TPv2 header (RFC 2661 §3.1).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |T|L|x|x|S|x|O|P|x|x|x|x|  Ver  |          Length (opt)         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           Tunnel ID           |           Session ID          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Ns (opt)          |             Nr (opt)          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      Offset Size (opt)        |    Offset pad... (opt)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Control messages MUST have T, L and S set and O, P clear (12-octet
// header). Reserved bits are ignored on receive and zero on send.
#pragma once

#include <cstdint>
#include <optional>

#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"

namespace l2sec::l2tp {

// From the specification (RFC 2661 §3.1).
inline constexpr std::uint16_t kFlagT = 0x8000;
inline constexpr std::uint16_t kFlagL = 0x4000;
inline constexpr std::uint16_t kFlagS = 0x0800;
inline constexpr std::uint16_t kFlagO = 0x0200;
inline constexpr std::uint16_t kFlagP = 0x0100;
inline constexpr std::uint16_t kVersionMask = 0x000F;
inline constexpr std::uint16_t kVersion = 2;
inline constexpr std::size_t kControlHeaderLen = 12;
inline constexpr std::size_t kMaxHeaderLen = 16;  // all optional fields, offset pad excluded
inline constexpr std::uint16_t kUdpPort = 1701;   // §8.1

struct Header {
  bool control = false;         // T
  bool has_length = false;      // L
  bool has_sequence = false;    // S
  bool has_offset = false;      // O
  bool priority = false;        // P (data only)
  std::uint16_t length = 0;     // when has_length: total message length
  std::uint16_t tunnel_id = 0;  // the recipient's Tunnel ID
  std::uint16_t session_id = 0; // the recipient's Session ID
  std::uint16_t ns = 0;         // when has_sequence
  std::uint16_t nr = 0;         // when has_sequence (reserved in data)
  std::uint16_t offset_size = 0;// when has_offset

  // Octets of header on the wire, offset pad included.
  std::size_t wire_size() const {
    return 6 + (has_length ? 2 : 0) + (has_sequence ? 4 : 0) + (has_offset ? 2u + offset_size : 0);
  }
};

// A decoded header and where the payload (AVPs or the PPP frame) starts.
struct Parsed {
  Header hdr;
  std::size_t payload_offset = 0;  // from the start of the datagram
  std::size_t payload_size = 0;    // honours the Length field when present
};

// Decodes the header of one datagram.
// Fails with: truncated (shorter than the header it announces, or than
// Length), malformed (version is not 2: error.what says "version"; a
// control message without L and S or with O or P; Length shorter than the
// header; offset beyond the message). Bytes after Length are ignored
// (padding from the link), as §3.1 allows.
// (Defined inline below: it runs once per data message on the fast path.)


// Convenience: the header of a control message (T, L, S set).
inline Header control_header(std::uint16_t tunnel_id, std::uint16_t session_id, std::uint16_t ns,
                             std::uint16_t nr) {
  Header h;
  h.control = h.has_length = h.has_sequence = true;
  h.tunnel_id = tunnel_id;
  h.session_id = session_id;
  h.ns = ns;
  h.nr = nr;
  return h;
}

// Serial-number arithmetic mod 2^16 (§5.8): true when a comes before b.
inline bool seq_before(std::uint16_t a, std::uint16_t b) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(a - b)) < 0;
}

// Prepends h in front of the payload already in `pkt`. Fills Length from
// the resulting size when has_length. Offset pad is written as zeros.
// Inline: it runs once per data message on the fast path.
inline void push_header(PacketBuf& pkt, const Header& h) {
  const std::size_t n = h.wire_size();
  std::uint8_t* p = pkt.push_front(n);
  std::uint16_t flags = kVersion;
  if (h.control) flags |= kFlagT;
  if (h.has_length) flags |= kFlagL;
  if (h.has_sequence) flags |= kFlagS;
  if (h.has_offset) flags |= kFlagO;
  if (h.priority) flags |= kFlagP;
  store_be16(p, flags);
  p += 2;
  if (h.has_length) {
    store_be16(p, static_cast<std::uint16_t>(pkt.size()));
    p += 2;
  }
  store_be16(p, h.tunnel_id);
  store_be16(p + 2, h.session_id);
  p += 4;
  if (h.has_sequence) {
    store_be16(p, h.ns);
    store_be16(p + 2, h.nr);
    p += 4;
  }
  if (h.has_offset) {
    store_be16(p, h.offset_size);
    p += 2;
    for (std::uint16_t i = 0; i < h.offset_size; ++i) p[i] = 0;
  }
}

inline Result<Parsed> parse_header(Bytes d) {
  WireReader r(d);
  auto flags = r.u16();
  if (!flags) return Error{Errc::truncated, "L2TP header truncated"};
  if ((*flags & kVersionMask) != kVersion) return Error{Errc::malformed, "version"};

  Parsed p;
  Header& h = p.hdr;
  h.control = (*flags & kFlagT) != 0;
  h.has_length = (*flags & kFlagL) != 0;
  h.has_sequence = (*flags & kFlagS) != 0;
  h.has_offset = (*flags & kFlagO) != 0;
  h.priority = (*flags & kFlagP) != 0;
  if (h.control && (!h.has_length || !h.has_sequence || h.has_offset || h.priority))
    return Error{Errc::malformed, "control message flags"};

  if (h.has_length) {
    auto len = r.u16();
    if (!len) return Error{Errc::truncated, "L2TP header truncated"};
    h.length = *len;
  }
  auto tid = r.u16();
  auto sid = r.u16();
  if (!sid) return Error{Errc::truncated, "L2TP header truncated"};
  h.tunnel_id = *tid;
  h.session_id = *sid;
  if (h.has_sequence) {
    auto ns = r.u16();
    auto nr = r.u16();
    if (!nr) return Error{Errc::truncated, "L2TP header truncated"};
    h.ns = *ns;
    h.nr = *nr;
  }
  if (h.has_offset) {
    auto off = r.u16();
    if (!off) return Error{Errc::truncated, "L2TP header truncated"};
    h.offset_size = *off;
  }

  std::size_t total = d.size();
  if (h.has_length) {
    if (h.length > d.size()) return Error{Errc::truncated, "L2TP Length beyond datagram"};
    total = h.length;
  }
  std::size_t fixed = r.offset();
  if (total < fixed) return Error{Errc::malformed, "L2TP Length shorter than header"};
  if (h.has_offset && total - fixed < h.offset_size)
    return Error{Errc::malformed, "L2TP offset beyond message"};
  p.payload_offset = fixed + (h.has_offset ? h.offset_size : 0);
  p.payload_size = total - p.payload_offset;
  return p;
}

}  // namespace l2sec::l2tp
