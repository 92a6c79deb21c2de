// The X.25 packet layer codec (transports/xot/x25.hpp): hand-written known
// answers for every packet type (vectors.hpp), round trips for every type
// in modulo 8 and 128 and over random packets, facilities (negotiated,
// skipped, malformed), every malformed input with its counter, every
// encoder refusal, and the Call User Data of our PDU kinds.
#include "transports/xot/x25.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "vectors.hpp"

namespace l2sec::transports::xot {
namespace {

using testing::Buf;
using testing::hex;
using testing::to_hex;

void expect_same(const Packet& got, const Packet& want, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(got.hdr.q, want.hdr.q);
  EXPECT_EQ(got.hdr.d, want.hdr.d);
  EXPECT_EQ(got.hdr.modulo, want.hdr.modulo);
  EXPECT_EQ(got.hdr.lci, want.hdr.lci);
  EXPECT_EQ(type_name(got.type), type_name(want.type));
  EXPECT_EQ(got.ps, want.ps);
  EXPECT_EQ(got.pr, want.pr);
  EXPECT_EQ(got.m, want.m);
  EXPECT_EQ(got.cause, want.cause);
  EXPECT_EQ(got.diagnostic, want.diagnostic);
  EXPECT_EQ(got.has_call_fields, want.has_call_fields);
  EXPECT_EQ(got.called.view(), want.called.view());
  EXPECT_EQ(got.calling.view(), want.calling.view());
  EXPECT_EQ(got.facilities.packet_size.has_value(), want.facilities.packet_size.has_value());
  if (got.facilities.packet_size && want.facilities.packet_size) {
    EXPECT_EQ(got.facilities.packet_size->from_called, want.facilities.packet_size->from_called);
    EXPECT_EQ(got.facilities.packet_size->from_calling, want.facilities.packet_size->from_calling);
  }
  EXPECT_EQ(got.facilities.window_size.has_value(), want.facilities.window_size.has_value());
  if (got.facilities.window_size && want.facilities.window_size) {
    EXPECT_EQ(got.facilities.window_size->from_called, want.facilities.window_size->from_called);
    EXPECT_EQ(got.facilities.window_size->from_calling, want.facilities.window_size->from_calling);
  }
  EXPECT_EQ(to_hex(got.user_data), to_hex(want.user_data));
  EXPECT_EQ(got.pvc.status, want.pvc.status);
  EXPECT_EQ(got.pvc.initiator_lcn, want.pvc.initiator_lcn);
  EXPECT_EQ(got.pvc.responder_lcn, want.pvc.responder_lcn);
  EXPECT_EQ(got.pvc.in_window, want.pvc.in_window);
  EXPECT_EQ(got.pvc.out_window, want.pvc.out_window);
  EXPECT_EQ(got.pvc.in_packet, want.pvc.in_packet);
  EXPECT_EQ(got.pvc.out_packet, want.pvc.out_packet);
  EXPECT_EQ(to_hex(got.pvc.initiator_name), to_hex(want.pvc.initiator_name));
  EXPECT_EQ(to_hex(got.pvc.responder_name), to_hex(want.pvc.responder_name));
}

Buf encode_to_vec(const Packet& p) {
  PacketBuf out(512);
  auto r = encode(p, out);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what);
  return Buf(out.bytes().begin(), out.bytes().end());
}

// ---- Known answers ----

TEST(X25KnownAnswers, EveryVectorDecodesToItsFieldsAndEncodesToItsBytes) {
  auto vs = testing::known_vectors();
  testing::fix_views(vs);
  ASSERT_GE(vs.size(), 30u);
  for (const auto& v : vs) {
    const Buf wire = testing::full_packet(v);
    Counters c;
    auto d = decode(wire, c);
    ASSERT_TRUE(d.ok()) << v.name << ": " << d.error().what;
    expect_same(*d, v.want, v.name);
    EXPECT_EQ(d->header_size(), v.want.header_size()) << v.name;
    c.for_each_nonzero(
        [&](Ctr k, std::uint64_t) { ADD_FAILURE() << v.name << " counted " << counter_name(k); });
    EXPECT_EQ(to_hex(encode_to_vec(v.want)), to_hex(wire)) << v.name;
    auto sz = encoded_size(v.want);
    ASSERT_TRUE(sz.ok());
    EXPECT_EQ(*sz, wire.size()) << v.name;
  }
}

TEST(X25KnownAnswers, EveryPacketTypeHasAVectorInBothModuliWhereTheyDiffer) {
  auto vs = testing::known_vectors();
  std::vector<bool> seen8(16), seen128(16);
  for (const auto& v : vs)
    (v.want.hdr.modulo == Modulo::mod8 ? seen8 : seen128)[static_cast<int>(v.want.type)] = true;
  for (int t = 0; t <= static_cast<int>(Type::pvc_setup); ++t)
    EXPECT_TRUE(seen8[t]) << "no modulo-8 vector for " << type_name(static_cast<Type>(t));
  for (Type t : {Type::data, Type::rr, Type::rnr, Type::rej, Type::call_request, Type::call_accepted})
    EXPECT_TRUE(seen128[static_cast<int>(t)]) << "no modulo-128 vector for " << type_name(t);
}

TEST(X25KnownAnswers, LinuxStyleCallAcceptedAndIncomingCall) {
  // Same coding in both directions (Incoming Call = Call Request, Call
  // Connected = Call Accepted): a DCE-side packet decodes identically.
  Counters c;
  const Buf pkt = hex("10 20 0B 11 15 00 42 08 08 CC");  // called 1, calling 5, no address pad
  auto d = decode(pkt, c);
  ASSERT_TRUE(d.ok()) << d.error().what;
  EXPECT_EQ(d->hdr.lci, 0x20);
  EXPECT_EQ(d->called.view(), "1");
  EXPECT_EQ(d->calling.view(), "5");
  EXPECT_FALSE(d->facilities.packet_size.has_value());  // facility length 0: the 42 08 08 is CUD
  EXPECT_EQ(to_hex(d->user_data), "420808cc");
}

// ---- Round trips ----

Packet sample(Type t, Modulo mod, std::mt19937& rng, Buf& storage) {
  auto pick = [&](unsigned lo, unsigned hi) { return std::uniform_int_distribution<unsigned>(lo, hi)(rng); };
  auto digits = [&](unsigned n) {
    std::string s;
    for (unsigned i = 0; i < n; ++i) s += static_cast<char>('0' + pick(0, 9));
    return Address::parse(s).value();
  };
  auto fill = [&](std::size_t n) {
    storage.resize(n);
    for (auto& b : storage) b = static_cast<std::uint8_t>(pick(0, 255));
    return Bytes(storage);
  };
  const unsigned modn = mod == Modulo::mod8 ? 8 : 128;
  Packet p;
  p.type = t;
  p.hdr.modulo = mod;
  p.hdr.lci = static_cast<std::uint16_t>(pick(1, kMaxLci));
  auto call_fields = [&](std::size_t max_user) {
    p.has_call_fields = true;
    p.called = digits(pick(0, 15));
    p.calling = digits(pick(0, 15));
    if (pick(0, 1)) {
      p.facilities.packet_size = FlowPair{static_cast<std::uint16_t>(1u << pick(4, 12)),
                                          static_cast<std::uint16_t>(1u << pick(4, 12))};
    }
    if (pick(0, 1))
      p.facilities.window_size =
          FlowPair{static_cast<std::uint16_t>(pick(1, 127)), static_cast<std::uint16_t>(pick(1, 127))};
    p.user_data = fill(pick(0, static_cast<unsigned>(max_user)));
  };
  switch (t) {
    case Type::data:
      p.hdr.q = pick(0, 1);
      p.hdr.d = pick(0, 1);
      p.ps = static_cast<std::uint8_t>(pick(0, modn - 1));
      p.pr = static_cast<std::uint8_t>(pick(0, modn - 1));
      p.m = pick(0, 1);
      p.user_data = fill(pick(0, 1) ? pick(0, 16) : pick(0, kMaxUserData));
      break;
    case Type::rr:
    case Type::rnr:
    case Type::rej:
      p.pr = static_cast<std::uint8_t>(pick(0, modn - 1));
      break;
    case Type::call_request:
      p.hdr.d = pick(0, 1);
      call_fields(kMaxCallUserData);
      break;
    case Type::call_accepted:
      if (pick(0, 1)) call_fields(kMaxCallUserData);
      break;
    case Type::clear_request:
      p.cause = static_cast<std::uint8_t>(pick(0, 255));
      if (pick(0, 1)) {
        p.diagnostic = static_cast<std::uint8_t>(pick(0, 255));
        if (pick(0, 1)) call_fields(kMaxClearUserData);
      }
      break;
    case Type::clear_confirmation:
      if (pick(0, 1)) call_fields(0);
      break;
    case Type::interrupt:
      p.user_data = fill(pick(1, 32));
      break;
    case Type::reset_request:
    case Type::restart_request:
      p.cause = static_cast<std::uint8_t>(pick(0, 255));
      if (pick(0, 1)) p.diagnostic = static_cast<std::uint8_t>(pick(0, 255));
      break;
    case Type::diagnostic:
      p.cause = static_cast<std::uint8_t>(pick(0, 255));
      p.user_data = fill(pick(0, 4));
      break;
    case Type::pvc_setup: {
      storage.resize(pick(0, 255) + pick(0, 255));
      for (auto& b : storage) b = static_cast<std::uint8_t>(pick(0, 255));
      const std::size_t n = pick(0, static_cast<unsigned>(std::min<std::size_t>(storage.size(), 255)));
      p.pvc.initiator_name = Bytes(storage).first(n);
      p.pvc.responder_name = Bytes(storage).subspan(n, std::min<std::size_t>(storage.size() - n, 255));
      p.pvc.status = static_cast<std::uint8_t>(pick(0, 0x1A));
      p.pvc.initiator_lcn = static_cast<std::uint16_t>(pick(0, 0xFFFF));
      p.pvc.responder_lcn = static_cast<std::uint16_t>(pick(0, 0xFFFF));
      p.pvc.in_window = static_cast<std::uint8_t>(pick(1, 127));
      p.pvc.out_window = static_cast<std::uint8_t>(pick(1, 127));
      p.pvc.in_packet = static_cast<std::uint8_t>(pick(4, 12));
      p.pvc.out_packet = static_cast<std::uint8_t>(pick(4, 12));
      break;
    }
    case Type::interrupt_confirmation:
    case Type::reset_confirmation:
    case Type::restart_confirmation:
      break;
  }
  if (t == Type::restart_request || t == Type::restart_confirmation || t == Type::diagnostic) p.hdr.lci = 0;
  return p;
}

void round_trip(const Packet& p, const std::string& what) {
  PacketBuf out(64);
  auto e = encode(p, out);
  ASSERT_TRUE(e.ok()) << what << ": " << e.error().what;
  EXPECT_EQ(out.size(), *encoded_size(p)) << what;
  Counters c;
  auto d = decode(out.bytes(), c);
  ASSERT_TRUE(d.ok()) << what << ": " << d.error().what;
  expect_same(*d, p, what);
  PacketBuf again(64);
  ASSERT_TRUE(encode(*d, again).ok());
  EXPECT_EQ(to_hex(again.bytes()), to_hex(out.bytes())) << what;
}

TEST(X25RoundTrip, EveryTypeInModulo8And128) {
  std::mt19937 rng(1);
  for (int t = 0; t <= static_cast<int>(Type::pvc_setup); ++t) {
    for (Modulo mod : {Modulo::mod8, Modulo::mod128}) {
      for (int i = 0; i < 20; ++i) {
        Buf storage;
        Packet p = sample(static_cast<Type>(t), mod, rng, storage);
        round_trip(p, std::string(type_name(p.type)) + (mod == Modulo::mod8 ? " mod 8" : " mod 128"));
      }
    }
  }
}

TEST(X25RoundTrip, RandomPacketsOverSeeds) {
  for (unsigned seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    const auto t = static_cast<Type>(rng() % (static_cast<unsigned>(Type::pvc_setup) + 1));
    const Modulo mod = rng() % 2 ? Modulo::mod8 : Modulo::mod128;
    Buf storage;
    round_trip(sample(t, mod, rng, storage), "seed " + std::to_string(seed));
  }
}

TEST(X25RoundTrip, ModuloBoundariesOfSequenceNumbers) {
  for (Modulo mod : {Modulo::mod8, Modulo::mod128}) {
    const unsigned top = mod == Modulo::mod8 ? 7 : 127;
    for (unsigned ps : {0u, 1u, top}) {
      for (unsigned pr : {0u, 1u, top}) {
        for (bool m : {false, true}) {
          Packet p;
          p.hdr.modulo = mod;
          p.hdr.lci = 0xFFF;
          p.ps = static_cast<std::uint8_t>(ps);
          p.pr = static_cast<std::uint8_t>(pr);
          p.m = m;
          round_trip(p, "data");
          Packet rr;
          rr.type = Type::rr;
          rr.hdr = p.hdr;
          rr.pr = p.pr;
          round_trip(rr, "rr");
        }
      }
    }
  }
}

// ---- Facilities ----

TEST(X25Facilities, NegotiatedValuesAndEverythingElseSkippedAndCounted) {
  // Packet size 256/256, window 3/3, then: reverse charging (class A),
  // throughput class (A), transit delay (B 0x49), an unknown class C, a
  // marker (00 00), a packet size code AFTER the marker (another table:
  // skipped), and the called address extension (class D, 2 octets).
  const Buf pkt = hex("10 01 0B 00 1A 420808 430303 0101 02AA 490064 80112233 0000 420404 C9021234 CC");
  Counters c;
  auto d = decode(pkt, c);
  ASSERT_TRUE(d.ok()) << d.error().what;
  ASSERT_TRUE(d->facilities.packet_size.has_value());
  EXPECT_EQ(d->facilities.packet_size->from_called, 256);
  EXPECT_EQ(d->facilities.packet_size->from_calling, 256);
  ASSERT_TRUE(d->facilities.window_size.has_value());
  EXPECT_EQ(d->facilities.window_size->from_called, 3);
  EXPECT_EQ(d->facilities.window_size->from_calling, 3);
  EXPECT_EQ(d->facilities.ignored, 6);
  EXPECT_EQ(c[Ctr::x25_rx_facility_ignored], 6u);
  EXPECT_EQ(to_hex(d->user_data), "cc");
}

TEST(X25Facilities, AsymmetricValuesKeepTheirDirection) {
  Packet p;
  p.type = Type::call_request;
  p.hdr.lci = 1;
  p.facilities.packet_size = FlowPair{4096, 16};
  p.facilities.window_size = FlowPair{1, 127};
  const Buf wire = encode_to_vec(p);
  // From the called DTE first (SPEC-NOTES §7.3; Wireshark agrees, tshark_test).
  EXPECT_EQ(to_hex(wire), "10010b0006420c0443017f");
}

TEST(X25Facilities, PacketSizeCodes) {
  EXPECT_EQ(packet_size_code(16), 4);
  EXPECT_EQ(packet_size_code(128), 7);
  EXPECT_EQ(packet_size_code(4096), 12);
  EXPECT_FALSE(packet_size_code(8).has_value());
  EXPECT_FALSE(packet_size_code(100).has_value());
  EXPECT_FALSE(packet_size_code(8192).has_value());
  EXPECT_EQ(packet_size_octets(4), 16u);
  EXPECT_EQ(packet_size_octets(12), 4096u);
  EXPECT_FALSE(packet_size_octets(3).has_value());
  EXPECT_FALSE(packet_size_octets(13).has_value());
}

// ---- Malformed input: each counted by name ----

struct Bad {
  const char* what;
  Buf bytes;
  Ctr counter;
  Errc code;
};

std::vector<Bad> bad_cases() {
  Buf long_cud = hex("10 01 0B 00 00");
  long_cud.resize(long_cud.size() + kMaxCallUserData + 1, 0xAA);
  Buf long_data = hex("10 01 00");
  long_data.resize(long_data.size() + kMaxUserData + 1, 0x55);
  Buf long_data128 = hex("20 01 00 00");
  long_data128.resize(long_data128.size() + kMaxUserData + 1, 0x55);
  Buf long_interrupt = hex("10 01 23");
  long_interrupt.resize(long_interrupt.size() + kMaxInterruptUserData + 1, 1);
  Buf long_clear_ud = hex("10 01 13 00 00 00 00");
  long_clear_ud.resize(long_clear_ud.size() + kMaxClearUserData + 1, 2);
  return {
      {"empty", {}, Ctr::x25_rx_too_short, Errc::truncated},
      {"two octets", hex("10 01"), Ctr::x25_rx_too_short, Errc::truncated},
      {"GFI modulo 00", hex("00 01 0B 00 00"), Ctr::x25_rx_bad_gfi, Errc::unsupported},
      {"GFI modulo 11 (extended)", hex("30 01 00 00 00"), Ctr::x25_rx_bad_gfi, Errc::unsupported},
      {"mod-128 data without octet 4", hex("20 01 00"), Ctr::x25_rx_too_short, Errc::truncated},
      {"mod-128 RR without octet 4", hex("20 01 01"), Ctr::x25_rx_too_short, Errc::truncated},
      {"data over 4096 (mod 8)", long_data, Ctr::x25_rx_too_long, Errc::malformed},
      {"data over 4096 (mod 128)", long_data128, Ctr::x25_rx_too_long, Errc::malformed},
      {"type 0x03", hex("10 01 03"), Ctr::x25_rx_unknown_type, Errc::malformed},
      {"type 0xF9", hex("10 01 F9"), Ctr::x25_rx_unknown_type, Errc::malformed},
      {"mod-128 RR with P(R) bits in octet 3", hex("20 01 21 00"), Ctr::x25_rx_unknown_type, Errc::malformed},
      {"RR with an extra octet", hex("10 01 A1 00"), Ctr::x25_rx_too_long, Errc::malformed},
      {"mod-128 RNR with an extra octet", hex("20 01 05 02 00"), Ctr::x25_rx_too_long, Errc::malformed},
      {"interrupt confirmation + 1", hex("10 01 27 00"), Ctr::x25_rx_too_long, Errc::malformed},
      {"reset confirmation + 1", hex("10 01 1F 00"), Ctr::x25_rx_too_long, Errc::malformed},
      {"restart confirmation + 1", hex("10 00 FF 00"), Ctr::x25_rx_too_long, Errc::malformed},
      {"reset request + 1", hex("10 01 1B 05 07 00"), Ctr::x25_rx_too_long, Errc::malformed},
      {"restart request + 1", hex("10 00 FB 00 00 00"), Ctr::x25_rx_too_long, Errc::malformed},
      {"clear request without cause", hex("10 01 13"), Ctr::x25_rx_too_short, Errc::truncated},
      {"reset request without cause", hex("10 01 1B"), Ctr::x25_rx_too_short, Errc::truncated},
      {"restart request without cause", hex("10 00 FB"), Ctr::x25_rx_too_short, Errc::truncated},
      {"diagnostic without code", hex("10 00 F1"), Ctr::x25_rx_too_short, Errc::truncated},
      {"diagnostic explanation of 5", hex("10 00 F1 21 10 01 FE 00 00"), Ctr::x25_rx_too_long,
       Errc::malformed},
      {"interrupt without user data", hex("10 01 23"), Ctr::x25_rx_too_short, Errc::truncated},
      {"interrupt user data of 33", long_interrupt, Ctr::x25_rx_too_long, Errc::malformed},
      {"registration request", hex("10 00 F3 00"), Ctr::x25_rx_unsupported, Errc::unsupported},
      {"registration confirmation", hex("10 00 F7 00 00"), Ctr::x25_rx_unsupported, Errc::unsupported},
      {"A bit (TOA/NPI) call request", hex("90 01 0B 00 00"), Ctr::x25_rx_unsupported, Errc::unsupported},
      {"A bit clear request with call fields", hex("90 01 13 00 00 00 00"), Ctr::x25_rx_unsupported,
       Errc::unsupported},
      {"restart on LCN 1", hex("10 01 FB 00 00"), Ctr::x25_rx_bad_lci, Errc::malformed},
      {"restart confirmation on LCGN 1", hex("11 00 FF"), Ctr::x25_rx_bad_lci, Errc::malformed},
      {"diagnostic on LCN 1", hex("10 01 F1 21"), Ctr::x25_rx_bad_lci, Errc::malformed},
      {"call request without address block", hex("10 01 0B"), Ctr::x25_rx_too_short, Errc::truncated},
      {"address digits truncated", hex("10 01 0B 22 12"), Ctr::x25_rx_too_short, Errc::truncated},
      {"address semi-octet A", hex("10 01 0B 01 A0 00"), Ctr::x25_rx_bad_address, Errc::malformed},
      {"address semi-octet F in the calling address", hex("10 01 0B 11 1F 00"), Ctr::x25_rx_bad_address,
       Errc::malformed},
      {"facility length missing", hex("10 01 0B 00"), Ctr::x25_rx_too_short, Errc::truncated},
      {"facility field past the packet", hex("10 01 0B 00 05 42 07"), Ctr::x25_rx_bad_facilities,
       Errc::malformed},
      {"facility past its field", hex("10 01 0B 00 02 42 07 07"), Ctr::x25_rx_bad_facilities,
       Errc::malformed},
      {"packet size code 3", hex("10 01 0B 00 03 42 03 07"), Ctr::x25_rx_bad_facilities, Errc::malformed},
      {"packet size code 13", hex("10 01 0B 00 03 42 07 0D"), Ctr::x25_rx_bad_facilities, Errc::malformed},
      {"window 0", hex("10 01 0B 00 03 43 00 02"), Ctr::x25_rx_bad_facilities, Errc::malformed},
      {"window 128", hex("10 01 0F 00 03 43 02 80"), Ctr::x25_rx_bad_facilities, Errc::malformed},
      {"class D length missing", hex("10 01 0B 00 01 C9"), Ctr::x25_rx_bad_facilities, Errc::malformed},
      {"class D parameter past the field", hex("10 01 0B 00 03 C9 05 00"), Ctr::x25_rx_bad_facilities,
       Errc::malformed},
      {"CUD of 129", long_cud, Ctr::x25_rx_too_long, Errc::malformed},
      {"clear user data of 129", long_clear_ud, Ctr::x25_rx_too_long, Errc::malformed},
      {"clear confirmation with user data", hex("10 01 17 00 00 AA"), Ctr::x25_rx_too_long, Errc::malformed},
      {"PVC setup truncated", hex("10 01 F5 81 00"), Ctr::x25_rx_too_short, Errc::truncated},
      {"PVC setup version 0x80", hex("10 01 F5 80 00 00 0001 00 0002 02 02 07 07"), Ctr::x25_rx_unsupported,
       Errc::unsupported},
      {"PVC setup names truncated", hex("10 01 F5 81 00 04 0001 04 0002 02 02 07 07 53657230 536572"),
       Ctr::x25_rx_too_short, Errc::truncated},
      {"PVC setup with trailing octets", hex("10 01 F5 81 00 00 0001 00 0002 02 02 07 07 00"),
       Ctr::x25_rx_too_long, Errc::malformed},
  };
}

TEST(X25Malformed, EachCaseFailsWithItsCounterAndNothingElse) {
  for (const Bad& b : bad_cases()) {
    Counters c;
    auto d = decode(b.bytes, c);
    ASSERT_FALSE(d.ok()) << b.what;
    EXPECT_EQ(d.error().code, b.code) << b.what << ": " << d.error().what;
    EXPECT_EQ(c[b.counter], 1u) << b.what << " should count " << counter_name(b.counter);
    std::uint64_t total = 0;
    c.for_each_nonzero([&](Ctr, std::uint64_t n) { total += n; });
    EXPECT_EQ(total, 1u) << b.what << " counted more than once";
  }
}

TEST(X25Malformed, EveryDecodeCounterIsExercised) {
  std::vector<Ctr> want = {Ctr::x25_rx_too_short,    Ctr::x25_rx_too_long,      Ctr::x25_rx_bad_gfi,
                           Ctr::x25_rx_unknown_type, Ctr::x25_rx_unsupported,   Ctr::x25_rx_bad_lci,
                           Ctr::x25_rx_bad_address,  Ctr::x25_rx_bad_facilities};
  Counters all;
  for (const Bad& b : bad_cases()) (void)decode(b.bytes, all);
  for (Ctr k : want) EXPECT_GT(all[k], 0u) << counter_name(k);
}

// ---- Encoder refusals ----

TEST(X25Encode, RefusesWhatTheWireCannotCarryAndWritesNothing) {
  const Buf data(kMaxUserData + 1, 0);
  const Buf small(33, 0);
  struct Case {
    const char* what;
    Packet p;
    Errc code;
  };
  std::vector<Case> cases;
  auto add = [&](const char* what, Errc code, auto&& edit) {
    Packet p;
    p.hdr.lci = 1;
    edit(p);
    cases.push_back({what, p, code});
  };
  add("LCI 4096", Errc::out_of_range, [](Packet& p) { p.hdr.lci = 0x1000; });
  add("P(S) 8 mod 8", Errc::out_of_range, [](Packet& p) { p.ps = 8; });
  add("P(R) 128 mod 128", Errc::out_of_range, [](Packet& p) {
    p.hdr.modulo = Modulo::mod128;
    p.pr = 128;
  });
  add("RR P(R) 8 mod 8", Errc::out_of_range, [](Packet& p) {
    p.type = Type::rr;
    p.pr = 8;
  });
  add("data over 4096", Errc::out_of_range, [&](Packet& p) { p.user_data = data; });
  add("packet size 100", Errc::out_of_range, [](Packet& p) {
    p.type = Type::call_request;
    p.facilities.packet_size = FlowPair{100, 128};
  });
  add("window 0", Errc::out_of_range, [](Packet& p) {
    p.type = Type::call_request;
    p.facilities.window_size = FlowPair{2, 0};
  });
  add("window 128", Errc::out_of_range, [](Packet& p) {
    p.type = Type::call_accepted;
    p.has_call_fields = true;
    p.facilities.window_size = FlowPair{128, 2};
  });
  add("address digit A", Errc::malformed, [](Packet& p) {
    p.type = Type::call_request;
    p.called.len = 1;
    p.called.digits[0] = 'A';
  });
  add("address of 16", Errc::out_of_range, [](Packet& p) {
    p.type = Type::call_request;
    p.calling.len = 16;
  });
  add("CUD of 129", Errc::out_of_range, [&](Packet& p) {
    p.type = Type::call_request;
    p.user_data = Bytes(data).first(kMaxCallUserData + 1);
  });
  add("A bit on a call request", Errc::unsupported, [](Packet& p) {
    p.type = Type::call_request;
    p.hdr.q = true;
  });
  add("empty interrupt", Errc::out_of_range, [](Packet& p) { p.type = Type::interrupt; });
  add("interrupt of 33", Errc::out_of_range, [&](Packet& p) {
    p.type = Type::interrupt;
    p.user_data = small;
  });
  add("clear user data without call fields", Errc::malformed, [&](Packet& p) {
    p.type = Type::clear_request;
    p.diagnostic = 0;
    p.user_data = Bytes(small).first(1);
  });
  add("clear call fields without a diagnostic", Errc::malformed, [](Packet& p) {
    p.type = Type::clear_request;
    p.has_call_fields = true;
  });
  add("clear confirmation with user data", Errc::malformed, [&](Packet& p) {
    p.type = Type::clear_confirmation;
    p.has_call_fields = true;
    p.user_data = Bytes(small).first(1);
  });
  add("called user data without call fields", Errc::malformed, [&](Packet& p) {
    p.type = Type::call_accepted;
    p.user_data = Bytes(small).first(1);
  });
  add("restart on LCN 1", Errc::out_of_range, [](Packet& p) { p.type = Type::restart_request; });
  add("restart confirmation on LCN 1", Errc::out_of_range,
      [](Packet& p) { p.type = Type::restart_confirmation; });
  add("diagnostic on LCN 1", Errc::out_of_range, [](Packet& p) { p.type = Type::diagnostic; });
  add("diagnostic explanation of 5", Errc::out_of_range, [&](Packet& p) {
    p.type = Type::diagnostic;
    p.hdr.lci = 0;
    p.user_data = Bytes(small).first(5);
  });
  add("PVC name of 256", Errc::out_of_range, [&](Packet& p) {
    p.type = Type::pvc_setup;
    p.pvc.responder_name = Bytes(data).first(256);
  });
  for (const Case& k : cases) {
    PacketBuf out(64);
    auto e = encode(k.p, out);
    ASSERT_FALSE(e.ok()) << k.what;
    EXPECT_EQ(e.error().code, k.code) << k.what << ": " << e.error().what;
    EXPECT_EQ(out.size(), 0u) << k.what;
    EXPECT_FALSE(encoded_size(k.p).ok()) << k.what;
  }
}

TEST(X25Encode, DataHeaderPrependedInPlace) {
  for (Modulo mod : {Modulo::mod8, Modulo::mod128}) {
    PacketBuf pkt = PacketBuf::copy_of(hex("414243"));
    const std::uint8_t* payload = pkt.data();
    ASSERT_TRUE(push_data_header(Header{false, false, mod, 5}, 2, 3, true, pkt).ok());
    EXPECT_EQ(pkt.data() + (mod == Modulo::mod8 ? 3 : 4), payload);  // nothing moved
    EXPECT_EQ(pkt.realloc_count(), 0u);
    EXPECT_EQ(to_hex(pkt.bytes()), mod == Modulo::mod8 ? "100574414243" : "20050407414243");
  }
  PacketBuf pkt = PacketBuf::copy_of(hex("41"));
  auto e = push_data_header(Header{false, false, Modulo::mod8, 5}, 8, 0, false, pkt);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, Errc::out_of_range);
  EXPECT_EQ(to_hex(pkt.bytes()), "41");
}

TEST(X25Address, ParseChecksDigitsAndLength) {
  EXPECT_EQ(Address::parse("").value().len, 0);
  EXPECT_EQ(Address::parse("123456789012345").value().view(), "123456789012345");
  EXPECT_EQ(Address::parse("1234567890123456").error().code, Errc::out_of_range);
  EXPECT_EQ(Address::parse("12a").error().code, Errc::malformed);
}

// ---- Call User Data (RFC 1356 §3.2, DESIGN.md §3) ----

TEST(X25Cud, OurKindsEncodeToTheirCodePoints) {
  std::array<std::uint8_t, kMaxOurCudLen> s{};
  EXPECT_EQ(to_hex(make_cud(CudKind::clear_l2tp, kDefaultSecuredCodePoint, s)), "8000005e0007");
  EXPECT_EQ(to_hex(make_cud(CudKind::secured, kDefaultSecuredCodePoint, s)), "8000005e0042");
  EXPECT_EQ(to_hex(make_cud(CudKind::secured, SnapCodePoint{{0x00, 0x1B, 0x21}, 0xBEEF}, s)), "80001b21beef");
  EXPECT_EQ(to_hex(make_cud(CudKind::ipv4, kDefaultSecuredCodePoint, s)), "cc");
}

TEST(X25Cud, ClassifyKnownKindsIgnoringTrailingOctets) {
  Counters c;
  const SnapCodePoint mine{{0x00, 0x1B, 0x21}, 0xBEEF};
  EXPECT_EQ(classify_cud(hex("8000005e0007"), kDefaultSecuredCodePoint, c).value(), CudKind::clear_l2tp);
  EXPECT_EQ(classify_cud(hex("8000005e0042"), kDefaultSecuredCodePoint, c).value(), CudKind::secured);
  EXPECT_EQ(classify_cud(hex("80001b21beef"), mine, c).value(), CudKind::secured);
  EXPECT_EQ(classify_cud(hex("8000005e0007ffff"), mine, c).value(), CudKind::clear_l2tp);
  EXPECT_EQ(classify_cud(hex("cc"), mine, c).value(), CudKind::ipv4);
  EXPECT_EQ(classify_cud(hex("cc0102"), mine, c).value(), CudKind::ipv4);
  // A secured code point configured equal to L2TP's: clear L2TP wins.
  EXPECT_EQ(classify_cud(hex("8000005e0007"), kL2tpCodePoint, c).value(), CudKind::clear_l2tp);
  EXPECT_EQ(c[Ctr::x25_rx_cud_unknown], 0u);
}

TEST(X25Cud, UnknownProtocolsAreRefusedAndCounted) {
  const char* cases[] = {"",   "00",         "00 8000005e0007", "81",
                         "cf", "8000005e00", "8000005e0043",    "80001b21beef"};
  Counters c;
  for (const char* h : cases) {
    auto k = classify_cud(hex(h), kDefaultSecuredCodePoint, c);
    ASSERT_FALSE(k.ok()) << h;
    EXPECT_EQ(k.error().code, Errc::unsupported) << h;
  }
  EXPECT_EQ(c[Ctr::x25_rx_cud_unknown], std::size(cases));
}

}  // namespace
}  // namespace l2sec::transports::xot
