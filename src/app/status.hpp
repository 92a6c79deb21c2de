// The status report of a running gateway: tunnels, sessions and counters as
// JSON, written atomically (temporary file + rename) to the configured
// status file, for operators and for the interop tests.
#pragma once

#include <filesystem>
#include <string>

#include "gateway/gateway.hpp"
#include "media/ip_medium.hpp"

namespace l2sec::app {

std::string status_json(const gateway::Gateway& gw, const media::IpMedium& medium);
// Returns false (and leaves the old file) when the file cannot be written.
bool write_status(const std::filesystem::path& file, const std::string& json);

}  // namespace l2sec::app
