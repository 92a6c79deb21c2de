// The two ends of a manually keyed ESP pair for the simulator tests: a LAC
// and an LNS protecting L2TP between them (compulsory shape, pre-shared-key
// filters), mirrored SPIs (the LAC sends on 0x2001 and receives on 0x1001)
// and keys derived from a seed per SPI, so both ends agree.
#pragma once

#include <cstdint>
#include <vector>

#include "core/endpoint.hpp"
#include "crypto/esp_transform.hpp"
#include "gateway/config.hpp"

namespace l2sec::sim {

inline constexpr std::uint32_t kEspSpiToLns = 0x2001;
inline constexpr std::uint32_t kEspSpiToLac = 0x1001;

struct EspSetup {
  crypto::EspCipher cipher = crypto::EspCipher::aes_gcm16_128;
  crypto::EspAuth auth = crypto::EspAuth::none;
  esp::Mode mode = esp::Mode::transport;
  bool udp_encap = false;
  std::uint16_t natt_port = 4500;
  std::uint32_t replay_window = 128;
};

// Keys of one SA: octets seed, seed + 7, seed + 14... (integrity from seed + 100).
inline gateway::EspKeys esp_test_keys(const EspSetup& e, std::uint8_t seed) {
  auto fill = [](std::size_t n, std::uint8_t s) {
    std::vector<std::uint8_t> k(n);
    for (std::size_t i = 0; i < n; ++i) k[i] = static_cast<std::uint8_t>(s + 7 * i);
    return k;
  };
  gateway::EspKeys k;
  k.enc = fill(crypto::enc_key_size(e.cipher), seed);
  k.auth = fill(crypto::auth_key_size(e.auth), static_cast<std::uint8_t>(seed + 100));
  return k;
}

// One end's configuration: lcp-echo sink, one [[peer]] (the other end) with
// its [peer.esp]; the LAC places `calls` calls.
inline gateway::Config esp_pair_config(bool lac, const Endpoint& lac_addr, const Endpoint& lns_addr,
                                       const EspSetup& e, unsigned calls) {
  gateway::Config c;
  c.role = lac ? gateway::Role::lac : gateway::Role::lns;
  c.listen = lac ? lac_addr : lns_addr;
  c.host_name = lac ? "lac.gw" : "lns.gw";
  c.sink = gateway::SinkKind::lcp_echo;
  c.esp.enabled = true;
  c.esp.shape = esp::Shape::compulsory;
  c.esp.auth = esp::AuthMethod::pre_shared_key;
  c.esp.mode = e.mode;
  c.esp.udp_encap = e.udp_encap;
  c.esp.natt_port = e.natt_port;
  c.esp.replay_window = e.replay_window;
  gateway::PeerConfig p;
  p.name = lac ? "lns.gw" : "lac.gw";
  p.address = lac ? lns_addr : lac_addr;
  p.sessions = lac ? calls : 0;
  gateway::PeerEspConfig pe;
  pe.cipher = e.cipher;
  pe.auth = e.auth;
  pe.natt_port = e.natt_port;
  pe.spi_in = lac ? kEspSpiToLac : kEspSpiToLns;
  pe.spi_out = lac ? kEspSpiToLns : kEspSpiToLac;
  pe.keys_in = esp_test_keys(e, lac ? 1 : 2);
  pe.keys_out = esp_test_keys(e, lac ? 2 : 1);
  p.esp = pe;
  c.peers.push_back(p);
  return c;
}

}  // namespace l2sec::sim
