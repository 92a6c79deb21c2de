#include "l2tp/header.hpp"

namespace l2sec::l2tp {

Result<Parsed> parse_header(Bytes d) {
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

void push_header(PacketBuf& pkt, const Header& h) {
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

}  // namespace l2sec::l2tp
