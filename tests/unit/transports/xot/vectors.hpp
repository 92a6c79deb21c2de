// Known-answer X.25 packets for the XOT tests, written by hand from the
// packet layouts of ITU-T X.25 §5-§7 and RFC 1613 §6.5 (SPEC-NOTES §7.3),
// not produced by our encoder: each is a byte string and the fields it
// must decode to. x25_test checks decode and encode against them;
// tshark_test hands them to Wireshark's X.25/XOT dissectors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "transports/xot/x25.hpp"

namespace l2sec::transports::xot::testing {

using Buf = std::vector<std::uint8_t>;

inline Buf hex(std::string_view s) {
  Buf out;
  int hi = -1;
  for (char ch : s) {
    int v;
    if (ch >= '0' && ch <= '9') {
      v = ch - '0';
    } else if (ch >= 'a' && ch <= 'f') {
      v = ch - 'a' + 10;
    } else if (ch >= 'A' && ch <= 'F') {
      v = ch - 'A' + 10;
    } else {
      continue;
    }
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline std::string to_hex(Bytes b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

inline Address addr(std::string_view s) { return Address::parse(s).value(); }

struct Vector {
  std::string name;
  Buf wire;
  Buf user;  // what Packet::user_data must be (kept here so the view lives)
  Packet want;
};

inline Header hdr8(std::uint16_t lci, bool q = false, bool d = false) { return {q, d, Modulo::mod8, lci}; }
inline Header hdr128(std::uint16_t lci, bool q = false, bool d = false) {
  return {q, d, Modulo::mod128, lci};
}

// The vectors. Packet::user_data is left empty here and pointed at
// Vector::user by fix_views() once the vector has its final address.
inline std::vector<Vector> known_vectors() {
  std::vector<Vector> v;
  auto add = [&](std::string name, std::string_view wire, std::string_view user, Packet p) {
    v.push_back(Vector{std::move(name), hex(wire), hex(user), p});
  };
  Packet p;

  // Call Request, modulo 8, LCN 1: called 12345, calling 678 (digits
  // "12345678"), packet size 128/128 (code 7), window 2/2, CUD = SNAP
  // 00-00-5E / 0x0007 (clear L2TP, RFC 3070's code point).
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::call_request;
  p.has_call_fields = true;
  p.called = addr("12345");
  p.calling = addr("678");
  p.facilities.packet_size = FlowPair{128, 128};
  p.facilities.window_size = FlowPair{2, 2};
  add("call_request_l2tp", "10 01 0B 35 12345678 06 420707 430202", "80 00005E 0007", p);

  // Call Request, modulo 128, LCGN 0xA LCN 0xBC, D bit: called 1234,
  // calling 567 (7 digits: padded), packet size 1024 from the called DTE
  // and 256 from the calling one, window 127/16, CUD = the secured code point.
  p = {};
  p.hdr = hdr128(0xABC, false, true);
  p.type = Type::call_request;
  p.has_call_fields = true;
  p.called = addr("1234");
  p.calling = addr("567");
  p.facilities.packet_size = FlowPair{1024, 256};
  p.facilities.window_size = FlowPair{127, 16};
  add("call_request_secured_mod128", "6A BC 0B 34 12345670 06 420A08 437F10", "80 00005E 0042", p);

  // Call Request with no addresses and no facilities, CUD = IPv4 NLPID.
  p = {};
  p.hdr = hdr8(2);
  p.type = Type::call_request;
  p.has_call_fields = true;
  add("call_request_ipv4", "10 02 0B 00 00", "CC", p);

  // Call Accepted: the bare 3 octets, and Linux's form with facilities.
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::call_accepted;
  add("call_accepted", "10 01 0F", "", p);
  p.has_call_fields = true;
  p.facilities.packet_size = FlowPair{128, 128};
  p.facilities.window_size = FlowPair{2, 2};
  add("call_accepted_facilities", "10 01 0F 00 06 420707 430202", "", p);
  p = {};
  p.hdr = hdr128(0x123);
  p.type = Type::call_accepted;
  add("call_accepted_mod128", "21 23 0F", "", p);

  // Clear Request: cause 0 (DTE originated) diagnostic 0; cause 9 without
  // diagnostic (X.25 1980); and with the call fields and Clear User Data.
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::clear_request;
  p.cause = 0x00;
  p.diagnostic = 0;
  add("clear_request", "10 01 13 00 00", "", p);
  p.cause = 0x09;
  p.diagnostic.reset();
  add("clear_request_no_diagnostic", "10 01 13 09", "", p);
  p = {};
  p.hdr = hdr8(7);
  p.type = Type::clear_request;
  p.cause = 0x00;
  p.diagnostic = 0xF1;
  p.has_call_fields = true;
  p.called = addr("9");
  add("clear_request_user_data", "10 07 13 00 F1 01 90 00", "C0FF", p);

  // Clear Confirmation, bare and with an (empty) address block.
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::clear_confirmation;
  add("clear_confirmation", "10 01 17", "", p);
  p.has_call_fields = true;
  add("clear_confirmation_fields", "10 01 17 00 00", "", p);

  // Data, modulo 8: P(R) 3, M 1, P(S) 2 -> 011 1 010 0 = 0x74.
  p = {};
  p.hdr = hdr8(5);
  p.type = Type::data;
  p.pr = 3;
  p.m = true;
  p.ps = 2;
  add("data_mod8", "10 05 74", "414243", p);
  // Q and D set, P(R) 0, M 0, P(S) 7 -> 0x0E.
  p = {};
  p.hdr = hdr8(5, true, true);
  p.type = Type::data;
  p.ps = 7;
  add("data_mod8_qd", "D0 05 0E", "58", p);
  // Data, modulo 128: octet 3 = P(S) 100 << 1 = 0xC8, octet 4 = P(R) 77 << 1 | M = 0x9B.
  p = {};
  p.hdr = hdr128(5);
  p.type = Type::data;
  p.ps = 100;
  p.pr = 77;
  p.m = true;
  add("data_mod128", "20 05 C8 9B", "4142", p);
  // Q set, P(S) 127, P(R) 127, M 0, no user data (LCN 6).
  p = {};
  p.hdr = hdr128(6, true);
  p.type = Type::data;
  p.ps = 127;
  p.pr = 127;
  add("data_mod128_empty_q", "A0 06 FE FE", "", p);
  // The highest LCI.
  p = {};
  p.hdr = hdr128(0xFFF);
  p.type = Type::data;
  add("data_mod128_lci_fff", "2F FF 00 00", "00", p);

  // Flow control, modulo 8 (P(R) in bits 8-6) and 128 (P(R) in octet 4).
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::rr;
  p.pr = 5;
  add("rr_mod8", "10 01 A1", "", p);
  p.type = Type::rnr;
  p.pr = 7;
  add("rnr_mod8", "10 01 E5", "", p);
  p.type = Type::rej;
  p.pr = 0;
  add("rej_mod8", "10 01 09", "", p);
  p = {};
  p.hdr = hdr128(1);
  p.type = Type::rr;
  p.pr = 127;
  add("rr_mod128", "20 01 01 FE", "", p);
  p.type = Type::rnr;
  p.pr = 0;
  add("rnr_mod128", "20 01 05 00", "", p);
  p.type = Type::rej;
  p.pr = 42;
  add("rej_mod128", "20 01 09 54", "", p);

  // Interrupt (one octet of interrupt user data) and its confirmation.
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::interrupt;
  add("interrupt", "10 01 23", "55", p);
  p.type = Type::interrupt_confirmation;
  add("interrupt_confirmation", "10 01 27", "", p);

  // Reset Request: cause 0x05 (local procedure error), diagnostic 7; confirmation.
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::reset_request;
  p.cause = 0x05;
  p.diagnostic = 7;
  add("reset_request", "10 01 1B 05 07", "", p);
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::reset_confirmation;
  add("reset_confirmation", "10 01 1F", "", p);

  // Restart Request (cause 0x07, diagnostic 0) and confirmation, on LCI 0.
  p = {};
  p.hdr = hdr8(0);
  p.type = Type::restart_request;
  p.cause = 0x07;
  p.diagnostic = 0;
  add("restart_request", "10 00 FB 07 00", "", p);
  p = {};
  p.hdr = hdr8(0);
  p.type = Type::restart_confirmation;
  add("restart_confirmation", "10 00 FF", "", p);

  // Diagnostic 33 (unidentifiable packet) explaining the header 10 01 FE.
  p = {};
  p.hdr = hdr8(0);
  p.type = Type::diagnostic;
  p.cause = 33;
  add("diagnostic", "10 00 F1 21", "1001FE", p);

  // PVC Setup (RFC 1613 §6.5): status 0, initiator "Ser0" LCN 1,
  // responder "Ser1" LCN 2, windows 2/2, packet sizes 128/128.
  p = {};
  p.hdr = hdr8(1);
  p.type = Type::pvc_setup;
  p.pvc.status = 0x00;
  p.pvc.initiator_lcn = 1;
  p.pvc.responder_lcn = 2;
  p.pvc.in_window = 2;
  p.pvc.out_window = 2;
  p.pvc.in_packet = 7;
  p.pvc.out_packet = 7;
  add("pvc_setup", "10 01 F5 81 00 04 0001 04 0002 02 02 07 07 53657230 53657231", "", p);
  return v;
}

// Points each vector's user_data (and PVC names) at storage that lives as
// long as the vector: Vector::user, and the names inside Vector::wire.
inline void fix_views(std::vector<Vector>& vs) {
  for (Vector& v : vs) {
    v.want.user_data = Bytes(v.user);
    if (v.want.type == Type::pvc_setup) {
      v.want.pvc.initiator_name = Bytes(v.wire).subspan(15, 4);
      v.want.pvc.responder_name = Bytes(v.wire).subspan(19, 4);
    }
  }
}

// The whole packet: wire header bytes followed by the user data.
inline Buf full_packet(const Vector& v) {
  Buf b = v.wire;
  b.insert(b.end(), v.user.begin(), v.user.end());
  return b;
}

}  // namespace l2sec::transports::xot::testing
