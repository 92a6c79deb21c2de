// A LAC and an LNS that reach each other over one circuit (the same
// circuit id at both ends, as each end numbers its own circuits), with or
// without manually keyed ESP (IP-less, Next Header 115, DESIGN.md §3).
#pragma once

#include <optional>

#include "gateway/config.hpp"
#include "sim/esp_pair_config.hpp"

namespace l2sec::sim {

inline gateway::Config circuit_pair_config(bool lac, std::uint32_t circuit_id, const std::optional<EspSetup>& esp,
                                           unsigned calls, gateway::LinkType type = gateway::LinkType::frame_relay) {
  const Endpoint c = Endpoint::of_circuit(circuit_id);
  gateway::Config cfg = esp_pair_config(lac, c, c, esp.value_or(EspSetup{}), calls);
  cfg.listen = Endpoint::v4({127, 0, 0, 1}, 1701);  // unused: no IP peer
  cfg.esp.enabled = esp.has_value();
  if (!esp) cfg.peers[0].esp.reset();
  gateway::LinkConfig link;
  link.name = "link0";
  link.type = type;
  cfg.links.push_back(link);
  gateway::CircuitConfig k;
  k.name = "c" + std::to_string(circuit_id);
  k.id = circuit_id;
  k.link = 0;
  k.dlci = 100;
  k.vpi = 0;
  k.vci = 100;
  cfg.circuits.push_back(k);
  cfg.peers[0].circuit = 0;
  return cfg;
}

}  // namespace l2sec::sim
