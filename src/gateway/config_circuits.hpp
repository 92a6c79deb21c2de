// The non-IP part of the configuration loader: [[link]] (a Frame Relay
// port, an ATM port, an XOT endpoint, with the wire below it) and
// [[circuit]] (a DLCI, a VPI/VCI, an X.25 call on a link), which a [[peer]]
// names with `circuit = "..."` instead of an address (docs/config.md,
// "Links and circuits"). Internal to src/gateway; config.cpp calls it.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/config_reader.hpp"

namespace l2sec::gateway::cfg {

extern const Section kLinkSection;
extern const Section kCircuitSection;

// Reads every [[link]] and [[circuit]] of the root table into `c` (links,
// circuits; circuit ids 1, 2, ... in file order) and checks them across:
// names unique, each circuit's link known, its native address in range and
// unique on its link, keys only of its link's type.
void read_links_and_circuits(Diagnostics& diag, const toml::table& root, Config& c,
                             const std::filesystem::path& base_dir, std::span<const Section* const> all);

// A [[peer]]'s `circuit = "name"`: the circuit's index, or nullopt (reported).
std::optional<std::size_t> find_circuit(Diagnostics& diag, const Config& c, const toml::node& n);

}  // namespace l2sec::gateway::cfg
