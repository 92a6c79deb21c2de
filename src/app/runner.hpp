// The Asio shell: binds the medium, drives the gateway with one timer, logs
// events, writes the status file, and handles SIGINT/SIGTERM.
#pragma once

#include "gateway/config.hpp"

namespace l2sec::app {

// Runs until a signal asks to stop and every StopCCN is acknowledged (or
// `shutdown` seconds pass). Returns the process exit status: 0 after a clean
// stop, 1 when the medium cannot be opened.
int run_gateway(const gateway::Config& cfg);

}  // namespace l2sec::app
