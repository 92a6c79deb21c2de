#include "transports/fr/frame.hpp"

namespace l2sec::transports::fr {

Result<FrameCodec> FrameCodec::create(const FrameConfig& cfg) {
  if (cfg.address_size < kMinAddressSize || cfg.address_size > kMaxAddressSize)
    return Error{Errc::out_of_range, "Q.922 address size is not 2, 3 or 4 octets"};
  if (auto v = validate(cfg.secured); !v.ok()) return v.error();
  return FrameCodec(cfg);
}

Result<void> FrameCodec::encode(std::uint32_t dlci, Kind kind, PacketBuf& pkt, Flags flags) const {
  const std::uint8_t size = cfg_.address_size;
  if (dlci > max_dlci(size)) return Error{Errc::out_of_range, "DLCI does not fit the Q.922 address size"};
  if (kind == Kind::other) return Error{Errc::unsupported, "no Frame Relay encapsulation for kind other"};
  if (is_signalling_dlci(dlci, size) != (kind == Kind::lmi))
    return Error{Errc::out_of_range, kind == Kind::lmi ? "LMI on a data DLCI" : "data on a signalling DLCI"};
  const Address a{dlci, flags, size};
  std::uint8_t* p = pkt.push_front(size + header_size(kind));
  write_header(kind, cfg_.secured, p + write_address(a, p));
  return ok();
}

Result<Frame> FrameCodec::decode(PacketBuf& pkt, Counters& counters) const {
  const Bytes frame = pkt.bytes();
  auto a = read_address(frame, counters);
  if (!a.ok()) return a.error();
  auto h = read_header(frame.subspan(a->size), cfg_.secured, is_signalling_dlci(a->dlci, a->size), counters);
  if (!h.ok()) return h.error();
  pkt.pull_front(a->size + h->size);
  return Frame{*a, h->kind};
}

}  // namespace l2sec::transports::fr
