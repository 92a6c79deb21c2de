// L2TPv2 control message codec (RFC 2661 §4.1, §4.4, §6, §7.1):
// round trips of every message type with every AVP, the M-bit rules, AVP
// length rules, required AVPs, walking errors, vendor AVPs, encode limits.
#include "l2tp/message.hpp"

#include <gtest/gtest.h>

#include <set>

#include "avp_builder.hpp"
#include "crypto/random.hpp"

namespace l2sec::l2tp {
namespace {

using test::AvpList;
using test::bytes_of;
using test::from_hex;
using test::kH;
using test::kM;
using test::to_hex;

constexpr MessageType kAllTypes[] = {
    MessageType::SCCRQ, MessageType::SCCRP, MessageType::SCCCN, MessageType::StopCCN, MessageType::HELLO,
    MessageType::OCRQ,  MessageType::OCRP,  MessageType::OCCN,  MessageType::ICRQ,    MessageType::ICRP,
    MessageType::ICCN,  MessageType::CDN,   MessageType::WEN,   MessageType::SLI,
};

// The catalogue of RFC 2661 §4.4 restated (SPEC-NOTES §4.4), independent of
// the table in src/l2tp/avp.cpp.
const std::set<std::uint16_t> kMandatoryM = {0,  1,  2,  3,  4,  7,  9,  10, 11, 12, 13, 14, 15,
                                             16, 17, 18, 19, 21, 22, 23, 24, 34, 35, 36, 39};
const std::set<std::uint16_t> kNotHideable = {0, 1, 2, 5, 7, 10, 12, 36, 39};

// §6 (SPEC-NOTES §4.5): the AVPs each message MUST carry, Message Type aside.
std::vector<AvpType> required_of(MessageType t) {
  using A = AvpType;
  switch (t) {
    case MessageType::SCCRQ:
    case MessageType::SCCRP:
      return {A::ProtocolVersion, A::FramingCapabilities, A::HostName, A::AssignedTunnelId};
    case MessageType::SCCCN:
      return {};
    case MessageType::StopCCN:
      return {A::ResultCode, A::AssignedTunnelId};
    case MessageType::HELLO:
      return {};
    case MessageType::OCRQ:
      return {A::AssignedSessionId, A::CallSerialNumber, A::MinimumBps,  A::MaximumBps,
              A::BearerType,        A::FramingType,      A::CalledNumber};
    case MessageType::OCRP:
      return {A::AssignedSessionId};
    case MessageType::OCCN:
      return {A::FramingType, A::TxConnectSpeed};
    case MessageType::ICRQ:
      return {A::AssignedSessionId, A::CallSerialNumber};
    case MessageType::ICRP:
      return {A::AssignedSessionId};
    case MessageType::ICCN:
      return {A::FramingType, A::TxConnectSpeed};
    case MessageType::CDN:
      return {A::ResultCode, A::AssignedSessionId};
    case MessageType::WEN:
      return {A::CallErrors};
    case MessageType::SLI:
      return {A::Accm};
  }
  return {};
}

// Gives m a valid value for AVP t (every type but Message Type and Random
// Vector). `k` varies the values.
void set_field(ControlMessage& m, AvpType t, std::uint32_t k = 0) {
  using A = AvpType;
  const auto u8 = [k](std::uint8_t base) { return static_cast<std::uint8_t>(base + k); };
  const auto u16 = [k](std::uint16_t base) { return static_cast<std::uint16_t>(base + k); };
  switch (t) {
    case A::MessageType:
    case A::RandomVector:
      break;
    case A::ResultCode:
      m.result_code = ResultCode{2, u16(6), "vendor error " + std::to_string(k)};
      break;
    case A::ProtocolVersion:
      m.protocol_version = ProtocolVersion{1, u8(0)};
      break;
    case A::FramingCapabilities:
      m.framing_capabilities = kFramingSync | kFramingAsync;
      break;
    case A::BearerCapabilities:
      m.bearer_capabilities = kBearerDigital | kBearerAnalog;
      break;
    case A::TieBreaker:
      m.tie_breaker = 0xfedcba9876543210ull + k;
      break;
    case A::FirmwareRevision:
      m.firmware_revision = u16(0x0102);
      break;
    case A::HostName:
      m.host_name = "lns-" + std::to_string(k) + ".example.net";
      break;
    case A::VendorName:
      m.vendor_name = "l2sec project";
      break;
    case A::AssignedTunnelId:
      m.assigned_tunnel_id = u16(0x4a32);
      break;
    case A::ReceiveWindowSize:
      m.receive_window_size = u16(16);
      break;
    case A::Challenge:
      m.challenge = from_hex("00112233445566778899aabbccddeeff0102");
      break;
    case A::Q931CauseCode:
      m.q931_cause = Q931Cause{u16(16), 0x5a, "normal clearing"};
      break;
    case A::ChallengeResponse:
      m.challenge_response =
          std::array<std::uint8_t, 16>{u8(1), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
      break;
    case A::AssignedSessionId:
      m.assigned_session_id = u16(0xd35e);
      break;
    case A::CallSerialNumber:
      m.call_serial_number = 0x01020304u + k;
      break;
    case A::MinimumBps:
      m.minimum_bps = 9600 + k;
      break;
    case A::MaximumBps:
      m.maximum_bps = 100000000 + k;
      break;
    case A::BearerType:
      m.bearer_type = kBearerAnalog;
      break;
    case A::FramingType:
      m.framing_type = kFramingSync;
      break;
    case A::CalledNumber:
      m.called_number = "+82 2 555 0100";
      break;
    case A::CallingNumber:
      m.calling_number = "0123456789";
      break;
    case A::SubAddress:
      m.sub_address = "sub";
      break;
    case A::TxConnectSpeed:
      m.tx_connect_speed = 64000 + k;
      break;
    case A::PhysicalChannelId:
      m.physical_channel_id = 0xabcdef01u + k;
      break;
    case A::InitialReceivedLcpConfreq:
      m.initial_received_lcp_confreq = from_hex("0104 05dc 0506 1234 5678");
      break;
    case A::LastSentLcpConfreq:
      m.last_sent_lcp_confreq = from_hex("0104 05d4");
      break;
    case A::LastReceivedLcpConfreq:
      m.last_received_lcp_confreq = from_hex("0305 c223 05");
      break;
    case A::ProxyAuthenType:
      m.proxy_authen_type = 2;
      break;
    case A::ProxyAuthenName:
      m.proxy_authen_name = "user@realm";
      break;
    case A::ProxyAuthenChallenge:
      m.proxy_authen_challenge = from_hex("a1a2a3a4a5a6a7a8a9aaabacadaeafb0");
      break;
    case A::ProxyAuthenId:
      m.proxy_authen_id = u8(0x47);
      break;
    case A::ProxyAuthenResponse:
      m.proxy_authen_response = from_hex("f0e1d2c3b4a5968778695a4b3c2d1e0f");
      break;
    case A::CallErrors:
      m.call_errors = CallErrors{1 + k, 2, 3, 4, 5, 0xffffffff};
      break;
    case A::Accm:
      m.accm = Accm{0x000a0000u + k, 0xffffffff};
      break;
    case A::PrivateGroupId:
      m.private_group_id = bytes_of("group-7");
      break;
    case A::RxConnectSpeed:
      m.rx_connect_speed = 128000 + k;
      break;
    case A::SequencingRequired:
      m.sequencing_required = true;
      break;
  }
}

std::vector<AvpType> all_avp_types() {
  std::vector<AvpType> out;
  for (std::uint16_t t = 1; t <= 39; ++t)
    if (t != 20 && t != 36) out.push_back(static_cast<AvpType>(t));
  return out;
}

ControlMessage full_message(MessageType type, std::uint32_t k = 0) {
  ControlMessage m;
  m.type = type;
  for (AvpType t : all_avp_types()) set_field(m, t, k);
  m.unrecognized.push_back(RawAvp{false, false, 9, 1, bytes_of("cisco vendor AVP")});
  m.unrecognized.push_back(RawAvp{false, false, 0, 40, from_hex("0001")});  // IETF, unknown to RFC 2661
  m.unrecognized.push_back(RawAvp{false, false, 311, 0xffff, {}});
  return m;
}

ControlMessage minimal_message(MessageType type) {
  ControlMessage m;
  m.type = type;
  for (AvpType t : required_of(type)) set_field(m, t);
  return m;
}

std::vector<std::uint8_t> encode(const ControlMessage& m, const EncodeOptions& opt = {}) {
  PacketBuf out(256);
  auto r = encode_control(m, out, opt);
  EXPECT_TRUE(r.ok()) << r.error().what;
  return {out.bytes().begin(), out.bytes().end()};
}

// SCCRQ with the required AVPs, for tests that add one AVP after them.
AvpList sccrq() {
  AvpList l;
  l.message_type(MessageType::SCCRQ)
      .avp(AvpType::ProtocolVersion, {1, 0})
      .u32(AvpType::FramingCapabilities, 1)
      .text(AvpType::HostName, "lac")
      .u16(AvpType::AssignedTunnelId, 0x1234);
  return l;
}
AvpList icrq() {
  AvpList l;
  l.message_type(MessageType::ICRQ).u16(AvpType::AssignedSessionId, 9).u32(AvpType::CallSerialNumber, 1);
  return l;
}

// ---------------------------------------------------------------- names

TEST(L2tpMessage, Names) {
  EXPECT_EQ(message_type_name(MessageType::SCCRQ), "SCCRQ");
  EXPECT_EQ(message_type_name(MessageType::StopCCN), "StopCCN");
  EXPECT_EQ(message_type_name(MessageType::SLI), "SLI");
  EXPECT_EQ(message_type_name(static_cast<MessageType>(99)), "type 99");
  EXPECT_EQ(message_type_name(static_cast<MessageType>(5)), "type 5");
  EXPECT_EQ(message_type_name(static_cast<MessageType>(0)), "type 0");
  EXPECT_EQ(message_type_name(static_cast<MessageType>(255)), "type 255");
  EXPECT_EQ(message_type_name(static_cast<MessageType>(4000)), "type >255");
  EXPECT_EQ(avp_type_name(7), "Host Name");
  EXPECT_EQ(avp_type_name(39), "Sequencing Required");
  EXPECT_EQ(avp_type_name(20), "unknown AVP");
  EXPECT_EQ(avp_type_name(40), "unknown AVP");
}

TEST(L2tpMessage, KnownAndSessionTypes) {
  std::set<std::uint16_t> known;
  for (std::uint32_t v = 0; v <= 0xffff; ++v)
    if (is_known_message_type(static_cast<std::uint16_t>(v))) known.insert(static_cast<std::uint16_t>(v));
  EXPECT_EQ(known, (std::set<std::uint16_t>{1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16}));
  std::set<std::uint16_t> session;
  for (MessageType t : kAllTypes)
    if (is_session_message(t)) session.insert(static_cast<std::uint16_t>(t));
  EXPECT_EQ(session, (std::set<std::uint16_t>{7, 8, 9, 10, 11, 12, 14, 15, 16}));
}

// ---------------------------------------------------------------- wire bytes

TEST(L2tpMessage, EncodeSccrqExactBytes) {
  ControlMessage m;
  m.type = MessageType::SCCRQ;
  m.protocol_version = ProtocolVersion{1, 0};
  m.framing_capabilities = kFramingSync | kFramingAsync;
  m.tie_breaker = 0x0102030405060708;
  m.host_name = "lac";
  m.assigned_tunnel_id = 0x1234;
  m.receive_window_size = 4;
  EXPECT_EQ(to_hex(encode(m)),
            "8008000000000001"              // Message Type 1, M
            "8008000000020100"              // Protocol Version 1.0, M
            "800a0000000300000003"          // Framing Capabilities, M
            "000e000000050102030405060708"  // Tie Breaker, M=0
            "800900000007"
            "6c6163"              // Host Name "lac", M
            "8008000000091234"    // Assigned Tunnel ID, M
            "80080000000a0004");  // Receive Window Size, M
  auto d = decode_control(from_hex("8008000000000001800800000002010080"
                                   "0a0000000300000003000e00000005010203"
                                   "0405060708800900000007"
                                   "6c6163800800"
                                   "0000091234"
                                   "80080000000a0004"),
                          {});
  ASSERT_TRUE(d.ok()) << d.error().what;
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->msg, m);
}

TEST(L2tpMessage, EncodeComposedValues) {
  ControlMessage m;
  m.type = MessageType::CDN;
  m.result_code = ResultCode{3, std::nullopt, ""};
  m.assigned_session_id = 0x0102;
  m.q931_cause = Q931Cause{0x0010, 0x5a, "ok"};
  EXPECT_EQ(to_hex(encode(m)),
            "800800000000000e"
            "8008000000010003"  // Result Code, result only: Length 8
            "800b0000000c00105a"
            "6f6b"                // Q.931: cause, msg, advisory: 9 + 2
            "80080000000e0102");  // Assigned Session ID
}

TEST(L2tpMessage, EncodeResultCodeLengths) {
  const auto rc_avp = [](const ResultCode& rc) {
    ControlMessage m;
    m.type = MessageType::StopCCN;
    m.result_code = rc;
    const auto b = encode(m);
    return to_hex(Bytes(b).subspan(8));
  };
  EXPECT_EQ(rc_avp({1, std::nullopt, ""}), "8008000000010001");
  EXPECT_EQ(rc_avp({2, 8, ""}), "800a0000000100020008");
  EXPECT_EQ(rc_avp({2, 6, "abc"}), "800d0000000100020006616263");
  // A message needs an error code: error 0 is sent.
  EXPECT_EQ(rc_avp({2, std::nullopt, "x"}), "800b000000010002000078");
}

TEST(L2tpMessage, EncodeCallErrorsAccmSequencing) {
  ControlMessage wen;
  wen.type = MessageType::WEN;
  wen.call_errors = CallErrors{1, 2, 3, 4, 5, 6};
  EXPECT_EQ(to_hex(encode(wen)),
            "800800000000000f"
            "802000000022"
            "0000"
            "00000001000000020000000300000004"
            "0000000500000006");
  ControlMessage sli;
  sli.type = MessageType::SLI;
  sli.accm = Accm{0x000a0000, 0xffffffff};
  EXPECT_EQ(to_hex(encode(sli)),
            "8008000000000010"
            "801000000023"
            "0000"
            "000a0000"
            "ffffffff");
  ControlMessage iccn = minimal_message(MessageType::ICCN);
  iccn.sequencing_required = true;
  EXPECT_EQ(to_hex(encode(iccn)),
            "800800000000000c"
            "800a0000001300000001"
            "800a000000180000fa00"
            "800600000027");
}

TEST(L2tpMessage, EncodeAppendsToWhatIsThere) {
  ControlMessage m;
  m.type = MessageType::HELLO;
  PacketBuf out(64);
  out.append(from_hex("aabb"));
  ASSERT_TRUE(encode_control(m, out).ok());
  EXPECT_EQ(to_hex(out.bytes()), "aabb8008000000000006");
}

// ---------------------------------------------------------------- round trips

TEST(L2tpMessage, RoundTripEveryTypeEveryAvp) {
  for (MessageType t : kAllTypes) {
    for (std::uint32_t k : {0u, 1u, 200u}) {
      SCOPED_TRACE(std::string(message_type_name(t)) + " k=" + std::to_string(k));
      const ControlMessage m = full_message(t, k);
      const auto wire = encode(m);
      auto d = decode_control(wire, {});
      ASSERT_TRUE(d.ok()) << d.error().what;
      EXPECT_FALSE(d->fault);
      EXPECT_EQ(d->msg, m);
      EXPECT_EQ(d->unknown_optional, 3);
      EXPECT_EQ(d->malformed_optional, 0);
      // Re-encoding the decoded message gives the same octets.
      EXPECT_EQ(encode(d->msg), wire);
    }
  }
}

TEST(L2tpMessage, RoundTripEveryTypeHidden) {
  const auto secret = bytes_of("tunnel secret");
  for (MessageType t : kAllTypes) {
    SCOPED_TRACE(message_type_name(t));
    const std::uint64_t seed = 0x2661 + static_cast<std::uint16_t>(t);
    crypto::SeededRandom rnd(seed);
    ControlMessage m = full_message(t);
    m.unrecognized.push_back(RawAvp{false, true, 9, 2, bytes_of("hidden vendor AVP, longer than 16")});
    const auto wire = encode(m, EncodeOptions{secret, true, &rnd});
    auto d = decode_control(wire, secret);
    ASSERT_TRUE(d.ok()) << d.error().what << " seed " << seed;
    EXPECT_FALSE(d->fault) << "seed " << seed;
    EXPECT_EQ(d->msg, m) << "seed " << seed;
    EXPECT_EQ(d->unknown_optional, 4);
  }
}

TEST(L2tpMessage, RoundTripMinimalMessages) {
  for (MessageType t : kAllTypes) {
    SCOPED_TRACE(message_type_name(t));
    const ControlMessage m = minimal_message(t);
    auto d = decode_control(encode(m), {});
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->fault);
    EXPECT_EQ(d->msg, m);
  }
}

TEST(L2tpMessage, MandatoryAndHiddenBitsFollowTheCatalogue) {
  const auto secret = bytes_of("s");
  crypto::SeededRandom rnd(3);
  const ControlMessage m = full_message(MessageType::ICCN);
  for (bool hide : {false, true}) {
    SCOPED_TRACE(hide);
    const auto wire = encode(m, EncodeOptions{secret, hide, &rnd});
    std::size_t pos = 0;
    std::set<std::uint16_t> seen;
    bool rv_seen = false;
    while (pos < wire.size()) {
      const std::uint16_t word = load_be16(&wire[pos]);
      const std::uint16_t vendor = load_be16(&wire[pos + 2]);
      const std::uint16_t type = load_be16(&wire[pos + 4]);
      pos += word & 0x3FF;
      if (vendor != 0 || type >= 40) continue;  // the raw AVPs
      SCOPED_TRACE(type);
      seen.insert(type);
      EXPECT_EQ((word & kM) != 0, kMandatoryM.count(type) == 1);
      const bool should_hide = hide && kNotHideable.count(type) == 0;
      EXPECT_EQ((word & kH) != 0, should_hide);
      if (type == 36) rv_seen = true;
      if (should_hide) {
        EXPECT_TRUE(rv_seen);
      }
    }
    EXPECT_EQ(pos, wire.size());
    EXPECT_EQ(seen.size(), hide ? 39u : 38u);  // 0..39 without 20, RV only when hiding
    EXPECT_EQ(rv_seen, hide);
  }
}

TEST(L2tpMessage, VendorAvpsKeptBothWays) {
  // Cisco (9) vendor AVP with M=0, then an unknown IETF AVP 45 with M=0.
  auto l = icrq().raw(0, 9, 1, bytes_of("cisco")).raw(0, 0, 45, from_hex("0102"));
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->unknown_optional, 2);
  ASSERT_EQ(d->msg.unrecognized.size(), 2u);
  EXPECT_EQ(d->msg.unrecognized[0], (RawAvp{false, false, 9, 1, bytes_of("cisco")}));
  EXPECT_EQ(d->msg.unrecognized[1], (RawAvp{false, false, 0, 45, from_hex("0102")}));
  // Sent back, they come out as they came in.
  EXPECT_EQ(encode(d->msg), l.vec());
  // A mandatory raw AVP we originate keeps its M bit.
  ControlMessage m;
  m.type = MessageType::HELLO;
  m.unrecognized.push_back(RawAvp{true, false, 9, 3, from_hex("ff")});
  EXPECT_EQ(to_hex(encode(m)),
            "8008000000000006"
            "800700090003ff");
}

// ---------------------------------------------------------------- M-bit rules

TEST(L2tpMessage, UnknownMandatoryInTunnelMessage) {
  auto l = sccrq().raw(kM, 0, 60963, from_hex("0530")).u16(AvpType::ReceiveWindowSize, 8);
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::unknown_mandatory);
  EXPECT_EQ(d->fault->vendor, 0);
  EXPECT_EQ(d->fault->attribute, 60963);
  // StopCCN: result 2 (general error), error 8 (unknown mandatory AVP).
  EXPECT_EQ(d->fault->to_send,
            (ResultCode{result::kGeneralError, error::kUnknownMandatoryAvp, "unknown mandatory AVP 60963"}));
  EXPECT_FALSE(is_session_message(d->msg.type));
  // The rest of the message is still decoded; the AVP is not kept.
  EXPECT_EQ(d->msg.receive_window_size, 8);
  EXPECT_TRUE(d->msg.unrecognized.empty());
  EXPECT_EQ(d->unknown_optional, 0);
}

TEST(L2tpMessage, UnknownMandatoryInSessionMessage) {
  auto l = icrq().raw(kM, 0, 20, {});  // 20 is not defined by RFC 2661
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::unknown_mandatory);
  EXPECT_EQ(d->fault->attribute, 20);
  // CDN: result 2 (see error code), error 8.
  EXPECT_EQ(d->fault->to_send,
            (ResultCode{result::kCdnSeeError, error::kUnknownMandatoryAvp, "unknown mandatory AVP 20"}));
  EXPECT_TRUE(is_session_message(d->msg.type));
}

TEST(L2tpMessage, UnknownMandatoryVendorAvp) {
  auto l = icrq().raw(kM, 311, 7, from_hex("00"));
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::unknown_mandatory);
  EXPECT_EQ(d->fault->vendor, 311);
  EXPECT_EQ(d->fault->attribute, 7);
  EXPECT_EQ(d->fault->to_send.message, "unknown mandatory AVP 311:7");
}

TEST(L2tpMessage, UnknownOptionalIgnoredAndCounted) {
  auto l = sccrq().raw(0, 0, 60963, from_hex("0530")).raw(0, 0, 100, {}).raw(0, 5, 5, from_hex("01"));
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->unknown_optional, 3);
  ASSERT_EQ(d->msg.unrecognized.size(), 3u);
  EXPECT_EQ(d->msg.unrecognized[0].type, 60963);
  EXPECT_EQ(d->msg.unrecognized[1].type, 100);
  EXPECT_EQ(d->msg.unrecognized[2].vendor, 5);
}

TEST(L2tpMessage, ReservedBitsMakeAnAvpUnrecognized) {
  for (std::uint16_t bit : {0x2000, 0x1000, 0x0800, 0x0400}) {
    SCOPED_TRACE(bit);
    // Known type with M=1 and a reserved bit: unknown mandatory.
    auto l = sccrq().raw(static_cast<std::uint16_t>(kM | bit), 0, 10, from_hex("0008"));
    auto d = decode_control(l.span(), {});
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE(d->fault);
    EXPECT_EQ(d->fault->kind, AvpFault::Kind::unknown_mandatory);
    EXPECT_EQ(d->fault->attribute, 10);
    EXPECT_FALSE(d->msg.receive_window_size);
    // With M=0: ignored and counted, not stored, not kept.
    auto l2 = sccrq().raw(bit, 0, 5, from_hex("0102030405060708"));
    auto d2 = decode_control(l2.span(), {});
    ASSERT_TRUE(d2.ok());
    EXPECT_FALSE(d2->fault);
    EXPECT_EQ(d2->unknown_optional, 1);
    EXPECT_FALSE(d2->msg.tie_breaker);
    EXPECT_TRUE(d2->msg.unrecognized.empty());
  }
}

TEST(L2tpMessage, FirstFaultWins) {
  auto l = sccrq().raw(kM, 0, 77, {}).avp(AvpType::ReceiveWindowSize, from_hex("000800"));
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::unknown_mandatory);
  EXPECT_EQ(d->fault->attribute, 77);
}

// ---------------------------------------------------------------- lengths

struct LengthRule {
  AvpType type;
  std::vector<std::size_t> good;  // value octets accepted
  std::vector<std::size_t> bad;   // value octets refused (error 2)
};

std::vector<LengthRule> length_rules() {
  using A = AvpType;
  const std::vector<std::size_t> i16_bad = {0, 1, 3, 4};
  const std::vector<std::size_t> i32_bad = {0, 2, 3, 5, 8};
  return {
      {A::ResultCode, {2, 4, 5, 40}, {0, 1, 3}},
      {A::ProtocolVersion, {2}, {0, 1, 3}},
      {A::FramingCapabilities, {4}, i32_bad},
      {A::BearerCapabilities, {4}, i32_bad},
      {A::TieBreaker, {8}, {0, 4, 7, 9, 16}},
      {A::FirmwareRevision, {2}, i16_bad},
      {A::HostName, {1, 2, 64}, {0}},
      {A::VendorName, {0, 1, 100}, {}},
      {A::AssignedTunnelId, {2}, i16_bad},
      {A::ReceiveWindowSize, {2}, i16_bad},
      {A::Challenge, {1, 16, 100}, {0}},
      {A::Q931CauseCode, {3, 4, 50}, {0, 1, 2}},
      {A::ChallengeResponse, {16}, {0, 15, 17, 32}},
      {A::AssignedSessionId, {2}, i16_bad},
      {A::CallSerialNumber, {4}, i32_bad},
      {A::MinimumBps, {4}, i32_bad},
      {A::MaximumBps, {4}, i32_bad},
      {A::BearerType, {4}, i32_bad},
      {A::FramingType, {4}, i32_bad},
      {A::CalledNumber, {0, 20}, {}},
      {A::CallingNumber, {0, 20}, {}},
      {A::SubAddress, {0, 20}, {}},
      {A::TxConnectSpeed, {4}, i32_bad},
      {A::PhysicalChannelId, {4}, i32_bad},
      {A::InitialReceivedLcpConfreq, {0, 30}, {}},
      {A::LastSentLcpConfreq, {0, 30}, {}},
      {A::LastReceivedLcpConfreq, {0, 30}, {}},
      {A::ProxyAuthenType, {2}, i16_bad},
      {A::ProxyAuthenName, {0, 30}, {}},
      {A::ProxyAuthenChallenge, {0, 30}, {}},
      {A::ProxyAuthenId, {2}, i16_bad},
      {A::ProxyAuthenResponse, {0, 30}, {}},
      {A::CallErrors, {26}, {0, 24, 25, 27, 28}},  // Length 32
      {A::Accm, {10}, {0, 8, 9, 11, 12}},          // Length 16
      {A::PrivateGroupId, {0, 30}, {}},
      {A::RxConnectSpeed, {4}, i32_bad},
      {A::SequencingRequired, {0}, {1, 2}},  // Length exactly 6
  };
}

TEST(L2tpMessage, AvpLengthRules) {
  for (const LengthRule& r : length_rules()) {
    const auto type = static_cast<std::uint16_t>(r.type);
    for (std::size_t n : r.good) {
      SCOPED_TRACE(std::string(avp_type_name(type)) + " good " + std::to_string(n));
      std::vector<std::uint8_t> v(n, 0x01);
      auto d = decode_control(AvpList().message_type(MessageType::HELLO).avp(type, v).span(), {});
      ASSERT_TRUE(d.ok());
      EXPECT_FALSE(d->fault);
      EXPECT_EQ(d->malformed_optional, 0);
    }
    for (std::size_t n : r.bad) {
      for (bool m : {true, false}) {
        SCOPED_TRACE(std::string(avp_type_name(type)) + " bad " + std::to_string(n) + (m ? " M=1" : " M=0"));
        std::vector<std::uint8_t> v(n, 0x01);
        auto d = decode_control(AvpList().message_type(MessageType::HELLO).avp(type, v, m).span(), {});
        ASSERT_TRUE(d.ok());
        if (m) {
          ASSERT_TRUE(d->fault);
          EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
          EXPECT_EQ(d->fault->attribute, type);
          EXPECT_EQ(d->fault->to_send, (ResultCode{2, error::kLengthWrong,
                                                   "malformed AVP " + std::string(avp_type_name(type))}));
          EXPECT_EQ(d->malformed_optional, 0);
        } else {
          EXPECT_FALSE(d->fault);
          EXPECT_EQ(d->malformed_optional, 1);
        }
        // Either way the field is not set.
        ControlMessage empty;
        empty.type = MessageType::HELLO;
        EXPECT_EQ(d->msg, empty);
      }
    }
  }
}

TEST(L2tpMessage, DecodedFieldValues) {
  auto l =
      AvpList()
          .message_type(MessageType::CDN)
          .avp(AvpType::ResultCode, from_hex("0003 0006 6869"))
          .avp(AvpType::Q931CauseCode, from_hex("0010 5a 6f6b"))
          .u16(AvpType::AssignedSessionId, 0xbeef)
          .avp(AvpType::CallErrors, from_hex("ffff 00000001 00000002 00000003 00000004 00000005 00000006"))
          .avp(AvpType::Accm, from_hex("ffff 000a0000 ffffffff"))
          .avp(AvpType::ProxyAuthenId, from_hex("0147"), false);
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  const ControlMessage& m = d->msg;
  EXPECT_EQ(m.result_code, (ResultCode{3, 6, "hi"}));
  EXPECT_EQ(m.q931_cause, (Q931Cause{16, 0x5a, "ok"}));
  EXPECT_EQ(m.assigned_session_id, 0xbeef);
  EXPECT_EQ(m.call_errors, (CallErrors{1, 2, 3, 4, 5, 6}));  // reserved ignored
  EXPECT_EQ(m.accm, (Accm{0x000a0000, 0xffffffff}));
  EXPECT_EQ(m.proxy_authen_id, 0x0147);
}

TEST(L2tpMessage, ZeroIdsAndWindowAreBadValues) {
  struct Case {
    AvpList list;
    std::uint16_t attribute;
    std::uint16_t result;
  };
  Case cases[] = {
      {AvpList(sccrq()).u16(AvpType::ReceiveWindowSize, 0), 10, result::kGeneralError},
      {AvpList()
           .message_type(MessageType::StopCCN)
           .avp(AvpType::ResultCode, from_hex("0001"))
           .u16(AvpType::AssignedTunnelId, 0),
       9, result::kGeneralError},
      {AvpList().message_type(MessageType::ICRP).u16(AvpType::AssignedSessionId, 0), 14,
       result::kCdnSeeError},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.attribute);
    auto d = decode_control(c.list.span(), {});
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE(d->fault);
    EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
    EXPECT_EQ(d->fault->attribute, c.attribute);
    EXPECT_EQ(d->fault->to_send.result, c.result);
    EXPECT_EQ(d->fault->to_send.error, error::kFieldOutOfRange);
  }
}

TEST(L2tpMessage, MessageTypeOnlyFirst) {
  auto l = AvpList().message_type(MessageType::HELLO).message_type(MessageType::StopCCN);
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->msg.type, MessageType::HELLO);
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
  EXPECT_EQ(d->fault->attribute, 0);
}

TEST(L2tpMessage, DuplicateAvpLastOneWins) {
  auto l = sccrq().u16(AvpType::ReceiveWindowSize, 4).u16(AvpType::ReceiveWindowSize, 9);
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->fault);
  EXPECT_EQ(d->msg.receive_window_size, 9);
}

// ---------------------------------------------------------------- required AVPs

TEST(L2tpMessage, MissingRequiredAvps) {
  for (MessageType t : kAllTypes) {
    for (AvpType drop : required_of(t)) {
      const auto type = static_cast<std::uint16_t>(drop);
      SCOPED_TRACE(std::string(message_type_name(t)) + " without " + std::string(avp_type_name(type)));
      ControlMessage without;  // every required AVP but one
      without.type = t;
      for (AvpType keep : required_of(t))
        if (keep != drop) set_field(without, keep);
      auto d = decode_control(encode(without), {});
      ASSERT_TRUE(d.ok());
      ASSERT_TRUE(d->fault);
      EXPECT_EQ(d->fault->kind, AvpFault::Kind::missing_required);
      EXPECT_EQ(d->fault->vendor, 0);
      EXPECT_EQ(d->fault->attribute, type);
      const std::uint16_t res = is_session_message(t) ? result::kCdnSeeError : result::kGeneralError;
      EXPECT_EQ(d->fault->to_send, (ResultCode{res, error::kFieldOutOfRange,
                                               "missing AVP " + std::string(avp_type_name(type))}));
      EXPECT_EQ(d->msg, without);
    }
  }
}

TEST(L2tpMessage, MalformedRequiredAvpReportsMalformedNotMissing) {
  auto l = AvpList().message_type(MessageType::ICRP).avp(AvpType::AssignedSessionId, from_hex("01"));
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->fault);
  EXPECT_EQ(d->fault->kind, AvpFault::Kind::malformed_mandatory);
}

// ---------------------------------------------------------------- walking errors

TEST(L2tpMessage, EmptyListFails) {
  auto d = decode_control({}, {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::malformed);
}

TEST(L2tpMessage, FirstAvpMustBeMessageType) {
  const char* cases[] = {
      "8008000000020100"
      "8008000000000006",    // Protocol Version first
      "8008000900000006",    // vendor 9, type 0
      "8408000000000006",    // reserved bit set
      "8009000000000006ff",  // Message Type of Length 9
      "8007000000000000",    // Message Type of Length 7
      "800600000000",        // Message Type of Length 6
  };
  for (const char* hex : cases) {
    SCOPED_TRACE(hex);
    auto d = decode_control(from_hex(hex), {});
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, Errc::malformed);
    EXPECT_FALSE(peek_message_type(from_hex(hex)));
  }
}

TEST(L2tpMessage, AvpLengthBelowSixFails) {
  for (std::uint16_t len : {0, 1, 5}) {
    SCOPED_TRACE(len);
    auto l =
        AvpList().message_type(MessageType::HELLO).raw(0, 0, 100, {}, len).bytes(from_hex("000000000000"));
    auto d = decode_control(l.span(), {});
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, Errc::malformed);
  }
  // In the first AVP too.
  EXPECT_EQ(decode_control(from_hex("8005000000000000"), {}).error().code, Errc::malformed);
}

TEST(L2tpMessage, AvpPastTheEndFails) {
  // Length 12 with 4 value octets present.
  auto l = AvpList().message_type(MessageType::HELLO).raw(0, 0, 100, from_hex("01020304"), 12);
  auto d = decode_control(l.span(), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::truncated);
  // Trailing octets too few for an AVP header.
  for (std::size_t extra = 1; extra < 6; ++extra) {
    auto t = AvpList().message_type(MessageType::HELLO).bytes(std::vector<std::uint8_t>(extra, 0x80));
    EXPECT_EQ(decode_control(t.span(), {}).error().code, Errc::truncated) << extra;
  }
  // First AVP cut short.
  EXPECT_EQ(decode_control(from_hex("80080000000000"), {}).error().code, Errc::truncated);
  EXPECT_EQ(decode_control(from_hex("8008"), {}).error().code, Errc::truncated);
}

TEST(L2tpMessage, MaximumAvpLength) {
  // Length 1023 (the 10-bit maximum) is fine; the Length field cannot say more.
  auto l =
      AvpList().message_type(MessageType::SCCRP).text(AvpType::VendorName, std::string(1017, 'v'), false);
  auto d = decode_control(l.span(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->msg.vendor_name->size(), 1017u);
  // Length 1023 on an unknown AVP: kept whole.
  auto l2 =
      AvpList().message_type(MessageType::HELLO).raw(0, 0, 100, std::vector<std::uint8_t>(1017, 0), 1023);
  auto d2 = decode_control(l2.span(), {});
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->msg.unrecognized.at(0).value.size(), 1017u);
}

TEST(L2tpMessage, UnknownMessageType) {
  for (std::uint16_t v : {0, 5, 13, 17, 20, 0xffff}) {
    SCOPED_TRACE(v);
    auto l = AvpList().u16(AvpType::MessageType, v).text(AvpType::HostName, "x");
    auto d = decode_control(l.span(), {});
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, Errc::unsupported);
    auto peek = peek_message_type(l.span());
    ASSERT_TRUE(peek);
    EXPECT_EQ(peek->value, v);
    EXPECT_TRUE(peek->mandatory);
  }
  // M=0 on an unknown type: the caller may ignore the message.
  auto l = AvpList().u16(AvpType::MessageType, 20, false);
  auto peek = peek_message_type(l.span());
  ASSERT_TRUE(peek);
  EXPECT_FALSE(peek->mandatory);
}

TEST(L2tpMessage, EveryPrefixAndByteFlipIsSafe) {
  // Deterministic sweep; run under ASan/UBSan it shows reads stay in bounds.
  const auto secret = bytes_of("k");
  crypto::SeededRandom rnd(11);
  const auto wire = encode(full_message(MessageType::ICCN), EncodeOptions{secret, true, &rnd});
  for (std::size_t n = 0; n <= wire.size(); ++n) {
    std::vector<std::uint8_t> prefix(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
    auto d = decode_control(prefix, secret);
    if (n == wire.size()) {
      EXPECT_TRUE(d.ok());
    }
  }
  std::size_t ok = 0;
  for (std::size_t i = 0; i < wire.size(); ++i) {
    for (std::uint8_t x : {0x01, 0x80, 0xff}) {
      auto copy = wire;
      copy[i] ^= x;
      auto d = decode_control(copy, secret);
      if (d.ok()) ++ok;
    }
  }
  EXPECT_GT(ok, 0u);
}

// ---------------------------------------------------------------- encode limits

TEST(L2tpMessage, EncodeValueTooLong) {
  ControlMessage m;
  m.type = MessageType::SCCRQ;
  m.host_name = std::string(1017, 'h');
  PacketBuf out(64);
  ASSERT_TRUE(encode_control(m, out).ok());
  EXPECT_EQ(out.size(), 8u + 1023u);
  m.host_name = std::string(1018, 'h');
  auto r = encode_control(m, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::out_of_range);
  EXPECT_EQ(out.size(), 8u + 1023u);  // unchanged
  // Result Code: 4 fixed octets + message.
  ControlMessage s;
  s.type = MessageType::StopCCN;
  s.result_code = ResultCode{2, 0, std::string(1014, 'm')};
  EXPECT_EQ(encode_control(s, out).error().code, Errc::out_of_range);
  s.result_code->message.pop_back();
  EXPECT_TRUE(encode_control(s, out).ok());
}

TEST(L2tpMessage, EncodeListTooLong) {
  ControlMessage m;
  m.type = MessageType::HELLO;
  for (int i = 0; i < 65; ++i)
    m.unrecognized.push_back(RawAvp{false, false, 9, 1, std::vector<std::uint8_t>(1017)});
  PacketBuf out(64);
  auto r = encode_control(m, out);
  ASSERT_FALSE(r.ok());  // 8 + 65 * 1023 > 65535 - 12
  EXPECT_EQ(r.error().code, Errc::out_of_range);
  EXPECT_EQ(out.size(), 0u);
  m.unrecognized.pop_back();
  EXPECT_TRUE(encode_control(m, out).ok());
  EXPECT_EQ(out.size(), 8u + 64u * 1023u);
}

}  // namespace
}  // namespace l2sec::l2tp
