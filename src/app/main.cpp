// l2sec: the command line.
//   l2sec run CONF     run the gateway in the foreground
//   l2sec check CONF   validate a configuration (exit 2 on errors)
//   l2sec version      the version and the ESP crypto providers
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "app/runner.hpp"
#include "crypto/esp_providers.hpp"
#include "gateway/config.hpp"

namespace {

constexpr int kExitConfig = 2;

int check(const std::string& file) {
  auto r = l2sec::gateway::load_config(file);
  for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!r.config) return kExitConfig;
  std::printf("%s: ok (role %s, %zu peer%s)\n", file.c_str(),
              r.config->role == l2sec::gateway::Role::lac ? "lac" : "lns", r.config->peers.size(),
              r.config->peers.size() == 1 ? "" : "s");
  return 0;
}

int run(const std::string& file) {
  auto r = l2sec::gateway::load_config(file);
  for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!r.config) return kExitConfig;
  return l2sec::app::run_gateway(*r.config);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"l2sec: L2TPv2 secured with IPsec, over IP and over non-IP circuits"};
  app.require_subcommand(1);
  std::string conf;
  auto* run_cmd = app.add_subcommand("run", "run the gateway in the foreground (SIGINT/SIGTERM: StopCCN and exit)");
  run_cmd->add_option("config", conf, "configuration file (TOML)")->required();
  auto* check_cmd = app.add_subcommand("check", "validate a configuration file; errors read file:line:col");
  check_cmd->add_option("config", conf, "configuration file (TOML)")->required();
  app.add_subcommand("version", "print the version");
  CLI11_PARSE(app, argc, argv);

  if (*run_cmd) return run(conf);
  if (*check_cmd) return check(conf);
  std::printf("l2sec %s\n", L2SEC_VERSION);
  std::printf("ESP providers: %s\n", l2sec::crypto::EspProviders().describe().c_str());
  return 0;
}
