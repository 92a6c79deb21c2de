// Hidden AVPs (RFC 2661 §4.3): hide_value / reveal_value, and hidden AVPs
// inside control messages on receive (secret, Random Vector chaining,
// padding) and on send (encode_control with hide).
#include <gtest/gtest.h>

#include <algorithm>

#include "avp_builder.hpp"
#include "crypto/random.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {
namespace {

using test::AvpList;
using test::bytes_of;
using test::from_hex;
using test::kH;
using test::kM;
using test::to_hex;

const std::vector<std::uint8_t> kSecret = bytes_of("secret");
const std::vector<std::uint8_t> kRv = from_hex("101112131415161718191a1b1c1d1e1f");

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + 7 * i);
  return v;
}

// An SCCRQ with every required AVP in clear; tests append hidden AVPs.
AvpList sccrq_base() {
  AvpList l;
  l.message_type(MessageType::SCCRQ)
      .avp(AvpType::ProtocolVersion, {1, 0})
      .text(AvpType::HostName, "lac")
      .u32(AvpType::FramingCapabilities, 3);
  return l;
}

TEST(L2tpHiddenAvp, RoundTripEverySizeAndPad) {
  for (std::size_t size = 0; size <= 50; ++size) {
    for (std::size_t pad : {0, 1, 13, 14, 15, 16, 17, 40}) {
      SCOPED_TRACE(std::to_string(size) + "/" + std::to_string(pad));
      const auto v = pattern(size, static_cast<std::uint8_t>(size));
      const auto h = hide_value(22, v, kSecret, kRv, pad);
      ASSERT_EQ(h.size(), 2 + size + pad);
      auto r = reveal_value(22, h, kSecret, kRv);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(*r, v);
    }
  }
}

TEST(L2tpHiddenAvp, MaskDependsOnAttributeSecretAndVector) {
  const auto v = from_hex("1234");
  const auto base = hide_value(9, v, kSecret, kRv);
  EXPECT_EQ(to_hex(base), "bb5335ed");
  EXPECT_NE(hide_value(14, v, kSecret, kRv), base);
  EXPECT_NE(hide_value(9, v, bytes_of("secreT"), kRv), base);
  EXPECT_NE(hide_value(9, v, kSecret, from_hex("101112131415161718191a1b1c1d1e10")), base);
  // The first 16 octets do not depend on what follows (segment chaining).
  const auto long_v = pattern(40, 1);
  const auto a = hide_value(8, long_v, kSecret, kRv);
  auto changed = long_v;
  changed[30] ^= 1;
  const auto b = hide_value(8, changed, kSecret, kRv);
  EXPECT_TRUE(std::equal(a.begin(), a.begin() + 32, b.begin()));
  EXPECT_NE(a[32], b[32]);
}

TEST(L2tpHiddenAvp, RevealRejectsBadInnerLength) {
  EXPECT_EQ(reveal_value(9, {}, kSecret, kRv).error().code, Errc::malformed);
  EXPECT_EQ(reveal_value(9, from_hex("bb"), kSecret, kRv).error().code, Errc::malformed);
  // Cut a hidden value short: the Original Length now exceeds the AVP.
  auto h = hide_value(9, from_hex("1234"), kSecret, kRv);
  h.pop_back();
  EXPECT_EQ(reveal_value(9, h, kSecret, kRv).error().code, Errc::malformed);
  // Original Length exactly fills the AVP: accepted.
  h = hide_value(9, {}, kSecret, kRv);
  auto r = reveal_value(9, h, kSecret, kRv);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(L2tpHiddenAvp, DecodeHiddenAssignedTunnelId) {
  // Value from SPEC-NOTES §4.6: type 9, 0x1234 -> bb5335ed.
  auto l = sccrq_base().random_vector(kRv).hidden(9, from_hex("bb5335ed"));
  auto d = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d.ok()) << d.error().what;
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->msg.assigned_tunnel_id, 0x1234);
  EXPECT_EQ(d->malformed_optional, 0);
}

TEST(L2tpHiddenAvp, DecodeHiddenWithPadding) {
  // The same value with 6 zero octets of padding (vector file, line 2), and
  // with 20 random padding octets (vector file: type 9 value 4321).
  auto l = sccrq_base().random_vector(kRv).hidden(9, from_hex("bb5335eddbadf805f324"));
  auto d = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->msg.assigned_tunnel_id, 0x1234);

  auto l2 =
      sccrq_base().random_vector(kRv).hidden(9, from_hex("bb5364f875c05afd5efc675b0b451baf5cd421d4f42157f2"));
  auto d2 = decode_control(l2.span(), kSecret);
  ASSERT_TRUE(d2.ok());
  EXPECT_FALSE(d2->fault);
  EXPECT_EQ(d2->msg.assigned_tunnel_id, 0x4321);
}

TEST(L2tpHiddenAvp, HiddenMandatoryWithoutSecret) {
  auto l = sccrq_base().random_vector(kRv).hidden(9, from_hex("bb5335ed"));
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
  EXPECT_EQ(d->fault->vendor, 0);
  EXPECT_EQ(d->fault->attribute, 9);
  EXPECT_EQ(d->fault->to_send, (ResultCode{2, 3, "malformed AVP Assigned Tunnel ID"}));
  EXPECT_FALSE(d->msg.assigned_tunnel_id);
}

TEST(L2tpHiddenAvp, HiddenOptionalWithoutSecretIsIgnored) {
  const auto vendor = hide_value(8, bytes_of("ACME"), kSecret, kRv);
  auto l = sccrq_base().u16(AvpType::AssignedTunnelId, 7).random_vector(kRv).hidden(8, vendor, false);
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->malformed_optional, 1);
  EXPECT_FALSE(d->msg.vendor_name);
  // With the secret it decodes.
  auto d2 = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->malformed_optional, 0);
  EXPECT_EQ(d2->msg.vendor_name, "ACME");
}

TEST(L2tpHiddenAvp, HiddenBeforeAnyRandomVector) {
  // §4.3: the Random Vector MUST precede the first hidden AVP.
  auto l = sccrq_base().hidden(9, from_hex("bb5335ed")).random_vector(kRv);
  auto d = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
  EXPECT_EQ(d->fault->attribute, 9);
  EXPECT_EQ(d->fault->to_send.error, error::kFieldOutOfRange);
}

TEST(L2tpHiddenAvp, WrongSecretGivesBadLength) {
  // Revealed with the wrong secret, the Original Length is 0x7a52: longer
  // than the AVP, so the AVP is malformed (error 2).
  auto l = sccrq_base().random_vector(kRv).hidden(9, from_hex("bb5335ed"));
  auto d = decode_control(l.span(), bytes_of("wrong"));
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
  EXPECT_EQ(d->fault->to_send.error, error::kLengthWrong);
}

TEST(L2tpHiddenAvp, HiddenValueTooShortForLengthField) {
  auto l = sccrq_base().random_vector(kRv).hidden(9, from_hex("bb"));
  auto d = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
  EXPECT_EQ(d->fault->to_send.error, error::kLengthWrong);
}

TEST(L2tpHiddenAvp, RevealedValueOfWrongLength) {
  // A hidden Assigned Tunnel ID whose revealed value has 3 octets.
  auto l = sccrq_base().random_vector(kRv).hidden(9, hide_value(9, from_hex("123456"), kSecret, kRv));
  auto d = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
  EXPECT_EQ(d->fault->to_send.error, error::kLengthWrong);
}

TEST(L2tpHiddenAvp, RandomVectorChainingUsesTheLastOne) {
  const auto rv1 = from_hex("01010101010101010101010101010101");
  const auto rv2 = from_hex("0202020202020202020202020202020202");  // 17 octets
  const auto sid1 = hide_value(9, from_hex("1111"), kSecret, rv1);
  const auto vendor2 = hide_value(8, bytes_of("second vector"), kSecret, rv2);
  auto l = sccrq_base().random_vector(rv1).hidden(9, sid1).random_vector(rv2).hidden(8, vendor2, false);
  auto d = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->msg.assigned_tunnel_id, 0x1111);
  EXPECT_EQ(d->msg.vendor_name, "second vector");
  EXPECT_EQ(d->malformed_optional, 0);

  // Two vectors in a row: the second applies.
  auto l2 = sccrq_base().random_vector(rv1).random_vector(rv2).hidden(
      9, hide_value(9, from_hex("2222"), kSecret, rv2));
  auto d2 = decode_control(l2.span(), kSecret);
  ASSERT_TRUE(d2.ok());
  EXPECT_FALSE(d2->fault);
  EXPECT_EQ(d2->msg.assigned_tunnel_id, 0x2222);

  // Hidden with the first vector but placed after the second: revealed with
  // the second, the value comes out wrong (here: malformed).
  auto l3 = sccrq_base().random_vector(rv1).random_vector(rv2).hidden(9, sid1);
  auto d3 = decode_control(l3.span(), kSecret);
  ASSERT_TRUE(d3.ok());
  EXPECT_NE(d3->msg.assigned_tunnel_id, std::optional<std::uint16_t>(0x1111));
}

TEST(L2tpHiddenAvp, RandomVectorMustNotBeHidden) {
  auto l = sccrq_base().u16(AvpType::AssignedTunnelId, 7).random_vector(kRv).hidden(36, kRv);
  auto d = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
  EXPECT_EQ(d->fault->attribute, 36);
}

TEST(L2tpHiddenAvp, HiddenMessageTypeIsNotAMessageType) {
  AvpList l;
  l.raw(kM | kH, 0, 0, from_hex("0001"));
  auto d = decode_control(l.span(), kSecret);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::malformed);
}

TEST(L2tpHiddenAvp, HiddenUnknownOptionalKeptRevealed) {
  const auto masked = hide_value(7, bytes_of("vendor data"), kSecret, kRv);  // vendor 9, type 7
  auto l = sccrq_base().u16(AvpType::AssignedTunnelId, 7).random_vector(kRv).hidden(7, masked, false, 9);
  auto d = decode_control(l.span(), kSecret);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->unknown_optional, 1);
  ASSERT_EQ(d->msg.unrecognized.size(), 1u);
  EXPECT_EQ(d->msg.unrecognized[0], (RawAvp{false, true, 9, 7, bytes_of("vendor data")}));
  // Without the secret it cannot be kept: counted only.
  auto d2 = decode_control(l.span(), {});
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->unknown_optional, 1);
  EXPECT_TRUE(d2->msg.unrecognized.empty());
}

// Walks an encoded AVP list (test-side parser) and returns, per AVP:
// flags word, vendor, type, value.
struct WireAvp {
  std::uint16_t word;
  std::uint16_t vendor;
  std::uint16_t type;
  std::vector<std::uint8_t> value;
};
std::vector<WireAvp> walk(Bytes b) {
  std::vector<WireAvp> out;
  std::size_t pos = 0;
  while (pos + 6 <= b.size()) {
    const std::uint16_t word = load_be16(b.data() + pos);
    const std::size_t len = word & 0x3FF;
    if (len < 6 || pos + len > b.size()) break;
    out.push_back({word, load_be16(b.data() + pos + 2), load_be16(b.data() + pos + 4),
                   std::vector<std::uint8_t>(b.begin() + pos + 6, b.begin() + pos + len)});
    pos += len;
  }
  EXPECT_EQ(pos, b.size());
  return out;
}

TEST(L2tpHiddenAvp, EncodeHidesWhatTheTableAllows) {
  ControlMessage m;
  m.type = MessageType::SCCRQ;
  m.protocol_version = ProtocolVersion{1, 0};
  m.framing_capabilities = kFramingSync | kFramingAsync;
  m.bearer_capabilities = kBearerDigital;
  m.tie_breaker = 0x0102030405060708;
  m.firmware_revision = 0x0690;
  m.host_name = "lac.example";
  m.vendor_name = "l2sec";
  m.assigned_tunnel_id = 0x4a32;
  m.receive_window_size = 8;
  m.challenge = pattern(20, 3);
  m.unrecognized.push_back(RawAvp{false, true, 311, 1, bytes_of("hidden raw")});
  m.unrecognized.push_back(RawAvp{false, false, 311, 2, bytes_of("clear raw")});

  crypto::SeededRandom rnd(42);
  PacketBuf out(1500);
  ASSERT_TRUE(encode_control(m, out, EncodeOptions{kSecret, true, &rnd}).ok());
  const auto avps = walk(out.bytes());
  // MT, PV, RV, FC, BC, TB, FW, HN, VN, ATI, RWS, CH, raw, raw
  ASSERT_EQ(avps.size(), 14u);
  const std::uint16_t types[] = {0, 2, 36, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
  const bool hidden[] = {false, false, false, true,  true, false, true,
                         false, true,  true,  false, true, true,  false};
  for (std::size_t i = 0; i < avps.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(avps[i].type, types[i]);
    EXPECT_EQ((avps[i].word & kH) != 0, hidden[i]);
    EXPECT_EQ(avps[i].word & 0x3C00, 0);  // reserved bits clear
  }
  // The Random Vector: M=1, 16 octets, just before the first hidden AVP.
  EXPECT_EQ(avps[2].word, kM | 22);
  const auto rv = avps[2].value;
  ASSERT_EQ(rv.size(), 16u);
  // Every hidden value reveals (with the vector on the wire) to the clear one.
  EXPECT_EQ(*reveal_value(3, avps[3].value, kSecret, rv), from_hex("00000003"));
  EXPECT_EQ(*reveal_value(4, avps[4].value, kSecret, rv), from_hex("00000001"));
  EXPECT_EQ(*reveal_value(6, avps[6].value, kSecret, rv), from_hex("0690"));
  EXPECT_EQ(*reveal_value(8, avps[8].value, kSecret, rv), bytes_of("l2sec"));
  EXPECT_EQ(*reveal_value(9, avps[9].value, kSecret, rv), from_hex("4a32"));
  EXPECT_EQ(*reveal_value(11, avps[11].value, kSecret, rv), pattern(20, 3));
  EXPECT_EQ(*reveal_value(1, avps[12].value, kSecret, rv), bytes_of("hidden raw"));
  EXPECT_EQ(avps[12].vendor, 311);
  EXPECT_EQ(avps[13].value, bytes_of("clear raw"));
  EXPECT_EQ(avps[13].word, 6 + 9);  // M=0 as given, H=0
  // Hidden AVP length = 6 + 2 + value (no padding).
  EXPECT_EQ(avps[9].word & 0x3FF, 10);

  // And the message decodes back to itself.
  auto d = decode_control(out.bytes(), kSecret);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->msg, m);
}

TEST(L2tpHiddenAvp, EncodeWithoutHiddenAvpsHasNoRandomVector) {
  ControlMessage m;
  m.type = MessageType::HELLO;
  crypto::SeededRandom rnd(1);
  PacketBuf out(64);
  ASSERT_TRUE(encode_control(m, out, EncodeOptions{kSecret, true, &rnd}).ok());
  EXPECT_EQ(to_hex(out.bytes()), "8008000000000006");
}

TEST(L2tpHiddenAvp, EncodeHideNeedsSecretAndRandom) {
  ControlMessage m;
  m.type = MessageType::HELLO;
  crypto::SeededRandom rnd(1);
  PacketBuf out(64);
  EXPECT_EQ(encode_control(m, out, EncodeOptions{{}, true, &rnd}).error().code, Errc::invalid_state);
  EXPECT_EQ(encode_control(m, out, EncodeOptions{kSecret, true, nullptr}).error().code, Errc::invalid_state);
  EXPECT_EQ(out.size(), 0u);
}

TEST(L2tpHiddenAvp, EncodeHiddenValueLimit) {
  // Hidden, the 2-octet Original Length counts too: 1015 value octets max.
  ControlMessage m;
  m.type = MessageType::SCCRP;
  m.vendor_name = std::string(1015, 'v');
  crypto::SeededRandom rnd(7);
  PacketBuf out(2048);
  ASSERT_TRUE(encode_control(m, out, EncodeOptions{kSecret, true, &rnd}).ok());
  const std::size_t good = out.size();
  EXPECT_EQ(good, 8u + 22u + 1023u);
  m.vendor_name = std::string(1016, 'v');
  EXPECT_EQ(encode_control(m, out, EncodeOptions{kSecret, true, &rnd}).error().code, Errc::out_of_range);
  EXPECT_EQ(out.size(), good);  // unchanged on failure
  // In clear, 1016 fits (1017 max).
  EXPECT_TRUE(encode_control(m, out).ok());
}

}  // namespace
}  // namespace l2sec::l2tp
