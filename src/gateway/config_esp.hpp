// The ESP part of the configuration loader: [esp], [peer.esp] and the key
// file (docs/config.md, "[esp]", "[peer.esp]", "Key files"). Internal to
// src/gateway; config.cpp calls it in its passes.
//
// Nothing here ever puts key material in a message: the key file's values
// are never quoted, its TOML syntax errors are stripped of the text they
// saw, and its unknown keys are reported without their names.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/config_reader.hpp"

namespace l2sec::gateway::cfg {

// The key lists of [esp] and [peer.esp], for check_keys() hints.
extern const Section kEspSection;
extern const Section kPeerEspSection;

// [esp] with the nodes the cross checks need.
struct EspRead {
  bool present = false;
  toml::source_region table;
  const toml::node* key_file = nullptr;  // given and well typed
  bool key_file_given = false;           // given, even if not well typed
};

// Reads the [esp] table into `esp` (enabled = true). Keys must have been
// checked against kEspSection by the caller.
EspRead read_esp(Diagnostics& diag, const toml::table& t, EspConfig& esp,
                 const std::filesystem::path& base_dir);

// One [peer.esp] with the nodes the cross checks need (null: absent or
// already reported).
struct PeerEspRead {
  PeerEspConfig cfg;
  toml::source_region table;
  const toml::node* spi_in = nullptr;   // valid SPI
  const toml::node* spi_out = nullptr;  // valid SPI
  bool algorithms_ok = false;           // cipher and integrity read and allowed together
};

// Reads a [peer.esp] table (keys checked by the caller). `esp` is the
// [esp] already read, for the profile.
PeerEspRead read_peer_esp(Diagnostics& diag, const toml::table& t, const EspRead& er, const EspConfig& esp);

// What check_esp() needs of a [[peer]] that has a [peer.esp].
struct EspPeer {
  PeerEspRead* esp;       // filled with keys on success
  std::string_view name;  // for messages
  bool has_address;       // an 'address' was given (valid or reported)
};

// The cross checks ([peer.esp] without [esp], SPIs, listen address, peer
// addresses) into `diag`, then the key file: its errors are returned,
// placed in the key file, for the caller to append after the main file's.
std::vector<ConfigError> check_esp(Diagnostics& diag, const EspRead& er, const EspConfig& esp,
                                   std::span<const EspPeer> peers, const Endpoint& listen,
                                   const toml::node* listen_node);

}  // namespace l2sec::gateway::cfg
