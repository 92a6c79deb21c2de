#include "gateway/sink.hpp"

namespace l2sec::gateway {

std::optional<LcpPacket> parse_lcp(Bytes frame) {
  LcpPacket p;
  if (frame.size() >= 2 && frame[0] == 0xFF && frame[1] == 0x03) {
    p.has_address_control = true;
    frame = frame.subspan(2);
  }
  WireReader r(frame);
  auto proto = r.u16();
  if (!proto || *proto != kPppLcp) return std::nullopt;
  auto code = r.u8();
  auto id = r.u8();
  auto len = r.u16();
  if (!len || *len < 4 || *len - 4u > r.remaining()) return std::nullopt;
  p.code = *code;
  p.identifier = *id;
  p.data = *r.bytes(*len - 4u);
  return p;
}

PacketBuf build_lcp_echo(std::uint8_t code, std::uint8_t identifier, bool address_control, Bytes data) {
  PacketBuf b(16 + data.size());
  if (address_control) {
    std::uint8_t* ac = b.push_back(2);
    ac[0] = 0xFF;
    ac[1] = 0x03;
  }
  std::uint8_t* h = b.push_back(10);  // protocol, code, id, length, magic
  store_be16(h, kPppLcp);
  h[2] = code;
  h[3] = identifier;
  // Echo data: the magic number (0: none negotiated, RFC 1661 §6.4) then
  // whatever followed it in the request.
  Bytes rest = data.size() >= 4 ? data.subspan(4) : Bytes{};
  store_be16(h + 4, static_cast<std::uint16_t>(8 + rest.size()));
  store_be32(h + 6, 0);
  b.append(rest);
  return b;
}

}  // namespace l2sec::gateway
