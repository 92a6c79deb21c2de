#include "app/status.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

namespace l2sec::app {

std::string status_json(const gateway::Gateway& gw, const media::IpMedium& medium) {
  nlohmann::json j;
  j["tunnels"] = nlohmann::json::array();
  for (const auto& t : gw.engine().tunnels()) {
    j["tunnels"].push_back({{"local_id", t.local_id},
                            {"peer_id", t.peer_id},
                            {"peer", t.peer.to_string()},
                            {"peer_host_name", t.peer_host_name},
                            {"established", t.established},
                            {"sessions", t.sessions}});
  }
  Counters all = gw.counters();
  all += medium.counters();
  nlohmann::json c = nlohmann::json::object();
  for (std::size_t i = 0; i < kCounterCount; ++i) {
    auto id = static_cast<Ctr>(i);
    c[std::string(counter_name(id))] = all.get(id);
  }
  j["counters"] = c;
  j["frames_received"] = gw.frames_received();
  j["frames_sent"] = gw.frames_sent();
  j["lcp_echo_replies"] = gw.lcp_echo_replies();
  j["listen"] = medium.local_endpoint().to_string();
  j["sockets"] = medium.describe();
  j["esp"] = gw.esp_summary();
  return j.dump(2) + "\n";
}

bool write_status(const std::filesystem::path& file, const std::string& json) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << json;
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  return !ec;
}

}  // namespace l2sec::app
