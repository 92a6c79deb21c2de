// L2TP over ESP on a circuit (DESIGN.md §1, §3), checked by a third party:
// two real L2TP engines, a LAC and an LNS, talk through two esp::IpsecLayer
// keyed for Mode::ipless over circuit endpoints (ESP carries the L2TP packet
// itself, Next Header 115; the SAD key is (circuit, SPI)). They bring a
// tunnel and one call up, exchange LCP Echo data messages and close the
// tunnel with StopCCN. Every ESP PDU, both ways, is recorded.
//
// The test then writes the PDUs to a pcap and runs tshark on it with our
// keys in its esp_sa table and tools/wireshark/l2tpv2_in_esp.lua (which
// hands IP protocol 115 to the L2TPv2 dissector). tshark must mark every ICV
// good, see Next Header 115, find in each packet the very L2TP message we
// sent (SCCRQ, SCCRP, SCCCN, ICRQ, ICRP, ICCN, ZLBs, data, StopCCN), report
// nothing malformed and no expert warning, and the Lua script must load.
// Two counter-checks keep the check honest: with wrong keys tshark marks
// ICVs bad, and without the script it finds no L2TPv2 message.
//
// The IPv4 headers in the pcap are SYNTHETIC. A circuit carries no IP
// header (the ESP PDU travels in the secured channel of the link's framing),
// but tshark finds ESP only after IP and matches esp_sa entries on
// addresses. So each PDU gets an IPv4 header, protocol 50, from 192.0.2.1
// (standing for the LAC's end of the circuit) or 192.0.2.2 (the LNS's end),
// RFC 5737 documentation addresses. Raw-IP link type (DLT_RAW).
//
// Everything is deterministic: seeded randomness (IDs, tie breaker, CBC
// IVs), fixed keys, a simulated clock that also gives the pcap timestamps.
// So the capture of the first variant is compared byte for byte with
// captures/esp_ipless_nh115.pcap (captures/README.md). When a change to the
// engines legitimately changes the bytes, rerun this test with
// L2SEC_REGENERATE_CAPTURES=1: it rewrites the file, and the tshark checks
// above still run on it.
//
// tshark is required (scripts/setup installs it): the test fails, not skips,
// without it.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"
#include "core/wire.hpp"
#include "crypto/esp_transform.hpp"
#include "crypto/random.hpp"
#include "esp/framing.hpp"
#include "esp/ipsec_layer.hpp"
#include "esp/sa.hpp"
#include "gateway/sink.hpp"
#include "l2tp/engine.hpp"
#include "l2tp/header.hpp"
#include "l2tp/message.hpp"

namespace l2sec::esp {
namespace {

using crypto::EspAuth;
using crypto::EspCipher;
using Kind = l2tp::Event::Kind;
using l2tp::MessageType;
using Buf = std::vector<std::uint8_t>;

// Each end numbers the circuit its own way (a DLCI, a VPI/VCI, an LCN).
constexpr std::uint32_t kLacCircuit = 7;
constexpr std::uint32_t kLnsCircuit = 16;
constexpr std::uint32_t kSpiToLns = 0x00002001;
constexpr std::uint32_t kSpiToLac = 0x00001001;
// The synthetic IPv4 addresses of the pcap (see the header comment).
constexpr std::array<std::uint8_t, 4> kLacIp{192, 0, 2, 1};
constexpr std::array<std::uint8_t, 4> kLnsIp{192, 0, 2, 2};
constexpr const char* kLacIpText = "192.0.2.1";
constexpr const char* kLnsIpText = "192.0.2.2";
// Simulated time 0 is 2026-01-01T00:00:00Z in the pcap.
constexpr std::int64_t kCaptureEpochSeconds = 1767225600;
constexpr Duration kLinkDelay = 2ms;  // one way, fixed: PDUs arrive in order
constexpr int kEchoes = 3;

const std::string kLuaScript = std::string(L2SEC_SOURCE_DIR) + "/tools/wireshark/l2tpv2_in_esp.lua";
const std::string kCommittedDir = std::string(L2SEC_SOURCE_DIR) + "/captures/";

struct Suite {
  EspCipher cipher;
  EspAuth auth;
  const char* tshark_enc;  // tshark's esp_sa names
  const char* tshark_auth;
};
constexpr Suite kAesCbcSha1{EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96, "AES-CBC [RFC3602]",
                            "HMAC-SHA-1-96 [RFC2404]"};
constexpr Suite kAesGcm16{EspCipher::aes_gcm16_128, EspAuth::none, "AES-GCM with 16 octet ICV [RFC4106]",
                          "NULL"};
constexpr Suite kNullSha256{EspCipher::null, EspAuth::hmac_sha256_128, "NULL", "HMAC-SHA-256-128 [RFC4868]"};

// Fixed keys, octet i = seed + i (captures/README.md lists them).
Buf key(std::size_t n, std::uint8_t seed) {
  Buf k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = static_cast<std::uint8_t>(seed + i);
  return k;
}
struct DirKeys {
  Buf enc, auth;
};
DirKeys keys_for(const Suite& s, bool to_lns) {
  return {key(crypto::enc_key_size(s.cipher), to_lns ? 0x10 : 0x20),
          key(crypto::auth_key_size(s.auth), to_lns ? 0x40 : 0x60)};
}

struct Variant {
  const char* name;
  Suite to_lns;           // the SA 0x2001, LAC -> LNS
  Suite to_lac;           // the SA 0x1001, LNS -> LAC
  const char* committed;  // file under captures/ this variant must reproduce, or nullptr
};

// gtest prints the variant by name, not as bytes.
void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

std::string hex(const Buf& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

// ---- the two gateways --------------------------------------------------------

class AcceptAll final : public l2tp::TunnelPolicy {
 public:
  explicit AcceptAll(l2tp::TunnelConfig c) : cfg_(std::move(c)) {}
  std::optional<l2tp::TunnelConfig> accept_tunnel(const Endpoint&, const l2tp::ControlMessage&) override {
    return cfg_;
  }

 private:
  l2tp::TunnelConfig cfg_;
};

l2tp::TunnelConfig tunnel_config(const char* host) {
  l2tp::TunnelConfig t;
  t.host_name = host;
  return t;
}

struct Node {
  Node(std::uint32_t circuit_id, std::uint64_t seed, const char* host, l2tp::TunnelPolicy* policy)
      : rng(seed),
        esp_rng(seed + 100),
        engine(l2tp::EngineConfig{.tunnel = tunnel_config(host)}, rng, policy),
        circuit(Endpoint::of_circuit(circuit_id)) {}

  crypto::SeededRandom rng;      // the engine's: tunnel and session IDs, tie breaker
  crypto::SeededRandom esp_rng;  // CBC IVs
  l2tp::Engine engine;
  IpsecLayer ipsec;
  Endpoint circuit;  // this end's name for the circuit: local and remote endpoint alike
  std::vector<l2tp::Event> events;
  std::function<void(Instant, l2tp::Event&)> on_event;

  std::size_t count(Kind k) const {
    std::size_t n = 0;
    for (const auto& e : events) n += e.kind == k ? 1 : 0;
    return n;
  }
};

// Keys one end of the circuit: the SPD protects everything on the circuit,
// the SAD holds one SA each way (Mode::ipless, keyed by (circuit, SPI)).
void key_circuit(Node& n, const Suite& out, std::uint32_t spi_out, const DirKeys& k_out, const Suite& in,
                 std::uint32_t spi_in, const DirKeys& k_in, const crypto::EspProvider& prov) {
  SaBinding b;
  b.mode = Mode::ipless;
  b.selector = TrafficSelector{HostSelector::any(), HostSelector::of_circuit(n.circuit.circuit)};
  b.outer_local = n.circuit;
  b.outer_remote = n.circuit;
  b.peer = "peer";
  n.ipsec.spd().add(Filter{Direction::outbound, b.selector, Action::protect, 1, "circuit out"});
  n.ipsec.spd().add(Filter{Direction::inbound, b.selector, Action::protect, 1, "circuit in"});
  auto t_out = prov.make(out.cipher, out.auth, k_out.enc, k_out.auth, n.esp_rng);
  auto t_in = prov.make(in.cipher, in.auth, k_in.enc, k_in.auth, n.esp_rng);
  ASSERT_TRUE(t_out.ok() && t_in.ok());
  auto sa_in = InboundSa::create(spi_in, std::move(*t_in), false, 64);
  ASSERT_TRUE(sa_in.ok());
  ASSERT_TRUE(n.ipsec.sad().add_inbound(b, std::move(*sa_in)).ok());
  n.ipsec.sad().add_outbound(b, OutboundSa(spi_out, std::move(*t_out), false));
}

// One ESP PDU as it crossed the circuit, with the L2TP packet it carries.
struct WirePdu {
  Instant at;
  bool from_lac;
  Buf esp;   // SPI .. ICV
  Buf l2tp;  // the plaintext, for comparing with what tshark decrypts
};

// The circuit: a fixed delay each way, so PDUs arrive in the order sent.
class CircuitLab {
 public:
  CircuitLab(const Variant& v, const crypto::EspProvider& prov)
      : lns_policy_(tunnel_config("lns.circuit")),
        lac(kLacCircuit, 11, "lac.circuit", nullptr),
        lns(kLnsCircuit, 22, "lns.circuit", &lns_policy_) {
    key_circuit(lac, v.to_lns, kSpiToLns, keys_for(v.to_lns, true), v.to_lac, kSpiToLac,
                keys_for(v.to_lac, false), prov);
    key_circuit(lns, v.to_lac, kSpiToLac, keys_for(v.to_lac, false), v.to_lns, kSpiToLns,
                keys_for(v.to_lns, true), prov);
  }

  // Processes what is due at or before `until`, one instant at a time
  // (first what commands issued just now produced).
  void run_until(Instant until) {
    settle();
    while (step(until)) {
    }
    if (until > now) now = until;
    settle();
  }
  template <class Pred>
  bool run_until(Pred done, Duration limit) {
    const Instant end = now + limit;
    settle();
    while (!done()) {
      if (!step(end)) return done();
    }
    return true;
  }

  Instant now = kEpoch;
  std::vector<WirePdu> wire;

 private:
  AcceptAll lns_policy_;

 public:
  Node lac, lns;

 private:
  struct InFlight {
    Instant arrive;
    bool to_lns;
    PacketBuf pkt;
  };
  std::deque<InFlight> in_flight_;

  // The next instant anything happens, if at or before `until`.
  bool step(Instant until) {
    Instant next = earliest(lac.engine.next_deadline(), lns.engine.next_deadline());
    if (!in_flight_.empty()) next = earliest(next, in_flight_.front().arrive);
    if (next > until) return false;
    if (next > now) now = next;
    while (!in_flight_.empty() && in_flight_.front().arrive <= now) {
      InFlight f = std::move(in_flight_.front());
      in_flight_.pop_front();
      deliver(f.to_lns ? lns : lac, std::move(f.pkt));
      settle();
    }
    for (Node* n : {&lac, &lns})
      if (n->engine.next_deadline() <= now) n->engine.on_timeout(now);
    settle();
    return true;
  }

  void settle() {
    for (int guard = 0; guard < 100000; ++guard) {
      const bool a = drain(lac);
      const bool b = drain(lns);
      if (!a && !b) return;
    }
    ADD_FAILURE() << "the engines did not settle";
  }

  bool drain(Node& n) {
    bool moved = false;
    while (auto t = n.engine.poll_transmit()) {
      moved = true;
      EXPECT_EQ(t->to, n.circuit);
      Buf plain(t->pkt.bytes().begin(), t->pkt.bytes().end());
      auto pdu = n.ipsec.send(n.circuit, t->to, std::move(t->pkt));
      if (!pdu) {
        ADD_FAILURE() << "IpsecLayer::send dropped an L2TP packet";
        continue;
      }
      EXPECT_EQ(pdu->kind, PduKind::esp);
      EXPECT_EQ(pdu->to, n.circuit);
      const bool from_lac = &n == &lac;
      wire.push_back(
          WirePdu{now, from_lac, Buf(pdu->pkt.bytes().begin(), pdu->pkt.bytes().end()), std::move(plain)});
      in_flight_.push_back(InFlight{now + kLinkDelay, from_lac, std::move(pdu->pkt)});
    }
    while (auto e = n.engine.poll_event()) {
      moved = true;
      n.events.push_back(std::move(*e));
      if (n.on_event) n.on_event(now, n.events.back());
    }
    return moved;
  }

  void deliver(Node& n, PacketBuf&& pkt) {
    auto flow = n.ipsec.open(n.circuit, n.circuit, pkt, false);
    if (!flow) {
      ADD_FAILURE() << "IpsecLayer::open: " << errc_name(flow.error().code);
      return;
    }
    EXPECT_EQ(flow->src, n.circuit);
    n.engine.on_datagram(now, flow->src, std::move(pkt));
  }
};

// Tunnel and call up, kEchoes LCP Echo-Requests from the LAC each answered
// by the LNS, StopCCN from the LAC; checks the L2TP and ESP side in C++.
void run_scenario(CircuitLab& lab) {
  // The LNS answers every Echo-Request on its session.
  lab.lns.on_event = [&lab](Instant now, l2tp::Event& ev) {
    if (ev.kind != Kind::frame) return;
    auto lcp = gateway::parse_lcp(ev.frame.bytes());
    ASSERT_TRUE(lcp.has_value());
    if (lcp->code != gateway::kLcpEchoRequest) return;
    ASSERT_TRUE(
        lab.lns.engine
            .send_frame(now, ev.ref,
                        gateway::build_lcp_echo(gateway::kLcpEchoReply, lcp->identifier, true, lcp->data))
            .ok());
  };

  auto tunnel = lab.lac.engine.open_tunnel(lab.now, lab.lac.circuit, tunnel_config("lac.circuit"));
  ASSERT_TRUE(tunnel.ok());
  auto call = lab.lac.engine.open_session(lab.now, *tunnel, l2tp::CallParams{});
  ASSERT_TRUE(call.ok());
  ASSERT_TRUE(lab.run_until(
      [&] { return lab.lac.count(Kind::session_up) == 1 && lab.lns.count(Kind::session_up) == 1; }, 10s));
  EXPECT_EQ(lab.lac.count(Kind::tunnel_up), 1u);
  EXPECT_EQ(lab.lns.count(Kind::tunnel_up), 1u);
  ASSERT_EQ(lab.lns.engine.tunnels().size(), 1u);
  EXPECT_EQ(lab.lns.engine.tunnels().front().peer, lab.lns.circuit);
  EXPECT_EQ(lab.lns.engine.tunnels().front().peer_host_name, "lac.circuit");

  for (int i = 1; i <= kEchoes; ++i) {
    ASSERT_TRUE(lab.lac.engine
                    .send_frame(lab.now, *call,
                                gateway::build_lcp_echo(gateway::kLcpEchoRequest,
                                                        static_cast<std::uint8_t>(i), true, {}))
                    .ok());
    lab.run_until(lab.now + 1s);
  }
  EXPECT_EQ(lab.lns.count(Kind::frame), static_cast<std::size_t>(kEchoes));
  EXPECT_EQ(lab.lac.count(Kind::frame), static_cast<std::size_t>(kEchoes));  // the replies

  l2tp::ResultCode clear;
  clear.result = l2tp::result::kGeneralClear;
  ASSERT_TRUE(lab.lac.engine.close_tunnel(lab.now, *tunnel, clear).ok());
  ASSERT_TRUE(lab.run_until([&] { return lab.lac.engine.idle() && lab.lns.engine.idle(); }, 2min));
  for (Node* n : {&lab.lac, &lab.lns}) {
    EXPECT_EQ(n->count(Kind::tunnel_down), 1u);
    EXPECT_EQ(n->count(Kind::session_down), 1u);
  }
  EXPECT_TRUE(lab.lns.events.back().by_peer);

  // The ESP side: every PDU sent was received, nothing in the clear, no drop.
  std::uint64_t from_lac = 0;
  for (const WirePdu& w : lab.wire) from_lac += w.from_lac ? 1 : 0;
  const std::uint64_t from_lns = lab.wire.size() - from_lac;
  const Counters lac = lab.lac.ipsec.counters(), lns = lab.lns.ipsec.counters();
  EXPECT_EQ(lac[Ctr::esp_tx_packets], from_lac);
  EXPECT_EQ(lns[Ctr::esp_rx_packets], from_lac);
  EXPECT_EQ(lns[Ctr::esp_tx_packets], from_lns);
  EXPECT_EQ(lac[Ctr::esp_rx_packets], from_lns);
  for (const Counters* c : {&lac, &lns}) {
    EXPECT_EQ((*c)[Ctr::esp_tx_clear], 0u);
    EXPECT_EQ((*c)[Ctr::esp_rx_clear], 0u);
    EXPECT_EQ((*c)[Ctr::esp_tx_no_sa], 0u);
    EXPECT_EQ((*c)[Ctr::esp_rx_bad_icv], 0u);
    EXPECT_EQ((*c)[Ctr::esp_rx_unexpected_next_header], 0u);
    EXPECT_EQ((*c)[Ctr::esp_rx_selector_mismatch], 0u);
  }
  EXPECT_EQ(lab.lac.engine.counters()[Ctr::l2tp_data_tx], static_cast<std::uint64_t>(kEchoes));
  EXPECT_EQ(lab.lns.engine.counters()[Ctr::l2tp_data_rx], static_cast<std::uint64_t>(kEchoes));
  EXPECT_EQ(lab.lns.engine.counters()[Ctr::l2tp_session_established], 1u);
  EXPECT_EQ(lab.lns.engine.counters()[Ctr::l2tp_tunnel_closed], 1u);
}

// ---- the pcap ----------------------------------------------------------------

// A synthetic IPv4 header (20 octets, protocol 50) for one ESP PDU.
Buf ipv4_header(const WirePdu& w, std::uint16_t id) {
  Buf h(20, 0);
  h[0] = 0x45;
  store_be16(&h[2], static_cast<std::uint16_t>(20 + w.esp.size()));
  store_be16(&h[4], id);
  h[8] = 64;  // TTL
  h[9] = 50;  // ESP
  const auto& src = w.from_lac ? kLacIp : kLnsIp;
  const auto& dst = w.from_lac ? kLnsIp : kLacIp;
  std::copy(src.begin(), src.end(), h.begin() + 12);
  std::copy(dst.begin(), dst.end(), h.begin() + 16);
  store_be16(&h[10], ipv4_header_checksum(h));
  return h;
}

void write_pcap(const std::string& path, const std::vector<WirePdu>& wire) {
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> dead(pcap_open_dead(DLT_RAW, 65535), pcap_close);
  ASSERT_TRUE(dead);
  pcap_dumper_t* d = pcap_dump_open(dead.get(), path.c_str());
  ASSERT_NE(d, nullptr) << pcap_geterr(dead.get());
  std::uint16_t ids[2] = {0, 0};  // IPv4 Identification, per direction
  for (const WirePdu& w : wire) {
    Buf frame = ipv4_header(w, ++ids[w.from_lac ? 0 : 1]);
    frame.insert(frame.end(), w.esp.begin(), w.esp.end());
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(w.at - kEpoch).count();
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(kCaptureEpochSeconds + us / 1000000);
    h.ts.tv_usec = static_cast<suseconds_t>(us % 1000000);
    h.caplen = h.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(d), &h, frame.data());
  }
  pcap_dump_close(d);
}

Buf read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Buf(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// ---- tshark ------------------------------------------------------------------

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

bool have_tshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

struct TsharkRun {
  int status = -1;
  std::string out;
  std::string err;
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream s(out);
    for (std::string l; std::getline(s, l);) v.push_back(l);
    return v;
  }
};

std::string sa_entry(const char* src, const char* dst, std::uint32_t spi, const Suite& s, const DirKeys& k) {
  char spi_text[16];
  std::snprintf(spi_text, sizeof spi_text, "0x%08x", spi);
  return "uat:esp_sa:\"IPv4\",\"" + std::string(src) + "\",\"" + dst + "\",\"" + spi_text + "\",\"" +
         s.tshark_enc + "\",\"0x" + hex(k.enc) + "\",\"" + s.tshark_auth + "\",\"0x" + hex(k.auth) + "\"";
}

struct TsharkOptions {
  bool lua = true;
  bool wrong_keys = false;
};

TsharkRun tshark(const std::string& pcap, const Variant& v, const std::string& args, TsharkOptions o = {}) {
  DirKeys to_lns = keys_for(v.to_lns, true), to_lac = keys_for(v.to_lac, false);
  if (o.wrong_keys) {
    for (DirKeys* k : {&to_lns, &to_lac}) {
      if (!k->enc.empty()) k->enc[0] ^= 0x80;
      if (!k->auth.empty()) k->auth[0] ^= 0x80;
    }
  }
  const std::string err_path = pcap + ".tshark.err";
  std::string cmd = "tshark -n -r " + quote(pcap);
  if (o.lua) cmd += " -X " + quote("lua_script:" + kLuaScript);
  cmd += " -o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE";
  cmd += " -o ip.check_checksum:TRUE";
  cmd += " -o " + quote(sa_entry(kLacIpText, kLnsIpText, kSpiToLns, v.to_lns, to_lns));
  cmd += " -o " + quote(sa_entry(kLnsIpText, kLacIpText, kSpiToLac, v.to_lac, to_lac));
  cmd += " " + args + " 2>" + quote(err_path);
  TsharkRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, p)) > 0;) r.out.append(chunk, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  const Buf err = read_file(err_path);
  r.err.assign(err.begin(), err.end());
  std::remove(err_path.c_str());
  return r;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : line) {
    if (c == sep) {
      v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  v.push_back(cur);
  return v;
}

// tshark 4.0 prints booleans as 1/0; later versions as True/False.
bool is_true(const std::string& s) { return s == "1" || s == "True"; }

// What tshark should find in a PDU: control or data, and the Message Type.
struct Expected {
  bool control = false;
  std::optional<std::uint16_t> message_type;  // nullopt: ZLB or data
};
Expected expected_of(const Buf& l2tp_pkt) {
  Expected e;
  auto p = l2tp::parse_header(l2tp_pkt);
  EXPECT_TRUE(p.ok());
  if (!p) return e;
  e.control = p->hdr.control;
  if (e.control && p->payload_size > 0) {
    auto mt = l2tp::peek_message_type(Bytes(l2tp_pkt).subspan(p->payload_offset, p->payload_size));
    EXPECT_TRUE(mt.has_value());
    if (mt) e.message_type = mt->value;
  }
  return e;
}

// ---- the test ----------------------------------------------------------------

class IplessCapture : public ::testing::TestWithParam<Variant> {};

TEST_P(IplessCapture, TsharkDecryptsOurL2tpOverEspWithNextHeader115) {
  const Variant& v = GetParam();
  auto prov = crypto::make_mbedtls_provider();
  CircuitLab lab(v, *prov);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  run_scenario(lab);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  ASSERT_FALSE(lab.wire.empty());

  // The bytes on the wire: each direction's SPI, sequence numbers 1, 2, 3...
  std::uint32_t next_seq[2] = {1, 1};
  for (const WirePdu& w : lab.wire) {
    ASSERT_GE(w.esp.size(), 8u);
    EXPECT_EQ(load_be32(w.esp.data()), w.from_lac ? kSpiToLns : kSpiToLac);
    EXPECT_EQ(load_be32(w.esp.data() + 4), next_seq[w.from_lac ? 0 : 1]++);
  }

  // intel-ipsec-mb, where it runs and does both suites, writes the same bytes.
  if (auto mb = crypto::make_ipsecmb_provider();
      mb && mb->supports(v.to_lns.cipher, v.to_lns.auth) && mb->supports(v.to_lac.cipher, v.to_lac.auth)) {
    CircuitLab again(v, *mb);
    run_scenario(again);
    ASSERT_EQ(again.wire.size(), lab.wire.size());
    for (std::size_t i = 0; i < lab.wire.size(); ++i) EXPECT_EQ(again.wire[i].esp, lab.wire[i].esp) << i;
  }

  const std::string pcap =
      ::testing::TempDir() + "l2sec_ipless_" + v.name + "_" + std::to_string(::getpid()) + ".pcap";
  write_pcap(pcap, lab.wire);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());

  if (v.committed != nullptr) {
    const std::string committed = kCommittedDir + v.committed;
    if (std::getenv("L2SEC_REGENERATE_CAPTURES") != nullptr) {
      write_pcap(committed, lab.wire);
      std::printf("wrote %s\n", committed.c_str());
    }
    const Buf want = read_file(committed);
    EXPECT_FALSE(want.empty()) << committed << " missing: run with L2SEC_REGENERATE_CAPTURES=1";
    EXPECT_TRUE(want == read_file(pcap))
        << committed << " differs from the capture this run produced; if the change is intended, "
        << "regenerate it with L2SEC_REGENERATE_CAPTURES=1 (captures/README.md)";
  }

  ASSERT_TRUE(have_tshark()) << "tshark not found: it is required for this test; scripts/setup installs it "
                                "(DEBIAN_FRONTEND=noninteractive apt-get install tshark)";

  // Per packet, what tshark decrypted and dissected.
  const TsharkRun fields = tshark(
      pcap, v,
      "-T fields -E separator=/t -E occurrence=a -E aggregator=, -e ip.src -e ip.dst -e ip.checksum.status "
      "-e esp.spi -e esp.sequence -e esp.protocol -e esp.icv_good -e esp.icv_bad -e l2tp.type "
      "-e l2tp.avp.message_type -e ppp.protocol -e ppp.code");
  ASSERT_EQ(fields.status, 0) << fields.err;
  EXPECT_EQ(fields.err.find("Lua:"), std::string::npos) << fields.err;
  const auto lines = fields.lines();
  ASSERT_EQ(lines.size(), lab.wire.size()) << fields.out << fields.err;
  std::set<std::uint16_t> types_seen;
  std::size_t data_seen = 0;
  std::uint32_t seq[2] = {1, 1};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("frame " + std::to_string(i + 1) + ": " + lines[i]);
    const WirePdu& w = lab.wire[i];
    const auto f = split(lines[i], '\t');
    ASSERT_EQ(f.size(), 12u);
    EXPECT_EQ(f[0], w.from_lac ? kLacIpText : kLnsIpText);
    EXPECT_EQ(f[1], w.from_lac ? kLnsIpText : kLacIpText);
    EXPECT_EQ(f[2], "1");  // IPv4 header checksum good
    EXPECT_EQ(std::stoul(f[3], nullptr, 0), w.from_lac ? kSpiToLns : kSpiToLac);
    EXPECT_EQ(std::stoul(f[4]), seq[w.from_lac ? 0 : 1]++);
    EXPECT_EQ(std::stoul(f[5], nullptr, 0), 115u);  // Next Header: L2TP (tshark prints 0x73)
    EXPECT_TRUE(is_true(f[6])) << "ICV not marked good";
    EXPECT_FALSE(is_true(f[7])) << "ICV marked bad";
    const Expected e = expected_of(w.l2tp);
    EXPECT_EQ(f[8], e.control ? "1" : "0");
    EXPECT_EQ(f[9], e.message_type ? std::to_string(*e.message_type) : std::string());
    if (e.message_type) types_seen.insert(*e.message_type);
    if (!e.control) {
      ++data_seen;
      EXPECT_EQ(f[10], "0xc021");                 // LCP
      EXPECT_EQ(f[11], w.from_lac ? "9" : "10");  // Echo-Request, Echo-Reply
    }
  }
  for (MessageType t : {MessageType::SCCRQ, MessageType::SCCRP, MessageType::SCCCN, MessageType::ICRQ,
                        MessageType::ICRP, MessageType::ICCN, MessageType::StopCCN})
    EXPECT_EQ(types_seen.count(static_cast<std::uint16_t>(t)), 1u)
        << l2tp::message_type_name(t) << " not found decrypted";
  EXPECT_EQ(data_seen, 2u * kEchoes);

  // The brief's filters, as tshark evaluates them.
  auto count = [&](const std::string& filter, TsharkOptions o = {}) {
    const TsharkRun r = tshark(pcap, v, "-Y " + quote(filter), o);
    EXPECT_EQ(r.status, 0) << filter << ": " << r.err;
    EXPECT_EQ(r.err.find("Lua:"), std::string::npos) << r.err;
    return std::make_pair(r.lines().size(), r.out);
  };
  EXPECT_EQ(count("esp.icv_good == 1 && esp.protocol == 115").first, lab.wire.size());
  EXPECT_EQ(count("esp && l2tp.type == 0").first, 2u * kEchoes);
  const auto bad = count("_ws.malformed || _ws.expert.severity >= warning");
  EXPECT_EQ(bad.first, 0u) << bad.second;

  // Counter-checks: the checks above can fail.
  TsharkOptions wrong;
  wrong.wrong_keys = true;
  EXPECT_EQ(count("esp.icv_good == 1", wrong).first, 0u) << "ICVs marked good under wrong keys";
  EXPECT_EQ(count("esp.icv_bad == 1", wrong).first, lab.wire.size());
  TsharkOptions no_lua;
  no_lua.lua = false;
  EXPECT_EQ(count("l2tp.avp.message_type", no_lua).first, 0u)
      << "L2TPv2 found in protocol 115 without the script";

  std::remove(pcap.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Circuit, IplessCapture,
    ::testing::Values(Variant{"aes_cbc_128_hmac_sha1_96", kAesCbcSha1, kAesCbcSha1, "esp_ipless_nh115.pcap"},
                      Variant{"aes_gcm16_128_and_null_hmac_sha256_128", kAesGcm16, kNullSha256, nullptr}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace l2sec::esp
