#include "app/runner.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "app/state_file.hpp"
#include "app/status.hpp"
#include "crypto/random.hpp"
#include "gateway/gateway.hpp"
#include "media/ip_medium.hpp"

namespace l2sec::app {
namespace asio = boost::asio;

namespace {

// The one place that reads the clock: engines get `now` from here.
Instant now() {
  return Instant(std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch()));
}

// How long a stopping gateway waits for its StopCCNs to be acknowledged.
constexpr auto kShutdownWait = std::chrono::seconds(5);
constexpr auto kStatusPeriod = std::chrono::seconds(1);

std::string describe(const l2tp::ResultCode& r) {
  std::string s = "result " + std::to_string(r.result);
  if (r.error) s += " error " + std::to_string(*r.error);
  if (!r.message.empty()) s += " \"" + r.message + "\"";
  return s;
}

// Logs one engine event, tagged with the tunnel and session IDs. Never logs
// a secret: events carry none.
void log_event(const l2tp::Event& ev) {
  using K = l2tp::Event::Kind;
  const auto t = ev.ref.tunnel;
  const auto s = ev.ref.session;
  switch (ev.kind) {
    case K::tunnel_up:
      spdlog::info("[tunnel {}] established with {} ({})", t, ev.peer_host_name, ev.peer.to_string());
      break;
    case K::tunnel_down:
      spdlog::info("[tunnel {}] closed {} ({})", t, ev.by_peer ? "by peer" : "locally", describe(ev.result));
      break;
    case K::session_up:
      spdlog::info("[tunnel {} session {}] established", t, s);
      break;
    case K::session_down:
      spdlog::info("[tunnel {} session {}] closed {} ({})", t, s, ev.by_peer ? "by peer" : "locally",
                   describe(ev.result));
      break;
    case K::frame:
      spdlog::trace("[tunnel {} session {}] frame of {} octets", t, s, ev.frame.size());
      break;
    case K::set_link_info:
      spdlog::debug("[tunnel {} session {}] SLI received", t, s);
      break;
    case K::wan_error:
      spdlog::warn("[tunnel {} session {}] WEN received", t, s);
      break;
  }
}

class Shell {
 public:
  // `state`: the ESP sequence state file (null without [esp] state_file).
  Shell(const gateway::Config& cfg, media::IpMedium& medium, crypto::Random& random, asio::io_context& io,
        StateFile* state)
      : cfg_(cfg),
        medium_(medium),
        state_(state),
        gw_(cfg, random,
            gateway::Hooks{[this](const l2tp::Event& ev) { on_event(ev); },
                           [this](gateway::Severity s, const std::string& m) { on_message(s, m); }},
            gateway::SequencePersistence{state}),
        io_(io),
        timer_(io),
        status_timer_(io),
        signals_(io, SIGINT, SIGTERM) {}

  // False when the configuration cannot run (logged).
  bool check() const {
    for (const auto& w : gw_.setup_warnings()) spdlog::warn("{}", w);
    for (const auto& e : gw_.setup_errors()) spdlog::error("{}", e);
    if (!gw_.setup_errors().empty() && state_ && !state_->last_error().empty())
      spdlog::error("state file: {}", state_->last_error());
    return gw_.setup_errors().empty();
  }

  void start() {
    for (const auto& line : gw_.esp_summary()) spdlog::info("ESP {}", line);
    media::IpMedium::Handlers h;
    h.l2tp = [this](const Endpoint& from, PacketBuf&& pkt) {
      Instant t = now();
      gw_.on_datagram(t, from, std::move(pkt));
      pump(t);
    };
    h.esp = [this](const Endpoint& from, const Endpoint& to, PacketBuf&& pkt, bool udp_encap) {
      Instant t = now();
      gw_.on_esp(t, from, to, std::move(pkt), udp_encap);
      pump(t);
    };
    medium_.start(std::move(h));
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) { on_signal(ec, sig); });
    gw_.start(now());
    pump(now());
    if (cfg_.status_file) tick_status();
  }

 private:
  void on_event(const l2tp::Event& ev) {
    log_event(ev);
    status_dirty_ = true;
  }

  void on_message(gateway::Severity s, const std::string& m) {
    if (s == gateway::Severity::error) {
      spdlog::error("{}", m);
      if (state_ && !state_->last_error().empty()) spdlog::error("state file: {}", state_->last_error());
    } else {
      spdlog::warn("{}", m);
    }
  }

  // Sends what the gateway emits and re-arms the one timer.
  void pump(Instant t) {
    gw_.flush(t, medium_);
    if (status_dirty_) write_status_now();
    if (stopping_ && (gw_.engine().quiescent() || t >= stop_deadline_)) {
      finish();
      return;
    }
    Instant d = gw_.next_deadline();
    if (stopping_) d = earliest(d, stop_deadline_);
    if (d == kNever) {
      timer_.cancel();
      return;
    }
    auto delay = std::chrono::duration_cast<std::chrono::steady_clock::duration>(d - t);
    timer_.expires_after(delay.count() > 0 ? delay : std::chrono::steady_clock::duration::zero());
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      Instant t2 = now();
      gw_.on_timeout(t2);
      pump(t2);
    });
  }

  void on_signal(const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (stopping_) {
      spdlog::warn("second signal: exiting without waiting for acknowledgements");
      finish();
      return;
    }
    spdlog::info("signal {}: sending StopCCN to every peer", sig);
    stopping_ = true;
    Instant t = now();
    stop_deadline_ = t + std::chrono::duration_cast<Duration>(kShutdownWait);
    gw_.shutdown(t);
    signals_.async_wait([this](const boost::system::error_code& e, int s) { on_signal(e, s); });
    pump(t);
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    write_status_now();
    timer_.cancel();
    status_timer_.cancel();
    signals_.cancel();
    medium_.close();
    // Nothing is sent or received any more: the exact state, so that a
    // clean restart skips no sequence number and accepts no old packet.
    if (state_) {
      if (gw_.save_sequence_state())
        spdlog::info("ESP sequence state saved in {}", state_->path().string());
      else
        spdlog::error("cannot save the ESP sequence state in {}: {}", state_->path().string(),
                      state_->last_error());
    }
    io_.stop();
  }

  void tick_status() {
    write_status_now();
    status_timer_.expires_after(kStatusPeriod);
    status_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick_status();
    });
  }

  void write_status_now() {
    status_dirty_ = false;
    if (!cfg_.status_file) return;
    if (!write_status(*cfg_.status_file, status_json(gw_, medium_)))
      spdlog::warn("cannot write status file {}", cfg_.status_file->string());
  }

  const gateway::Config& cfg_;
  media::IpMedium& medium_;
  StateFile* state_;
  gateway::Gateway gw_;
  asio::io_context& io_;
  asio::steady_timer timer_;
  asio::steady_timer status_timer_;
  asio::signal_set signals_;
  bool stopping_ = false;
  bool finished_ = false;
  bool status_dirty_ = false;
  Instant stop_deadline_ = kNever;
};

}  // namespace

int run_gateway(const gateway::Config& cfg) {
  auto logger = spdlog::stderr_logger_mt("l2sec");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  spdlog::flush_on(spdlog::level::trace);

  // The sequence state is read before any socket opens: a damaged file
  // stops l2sec here, naming the file and the line.
  std::unique_ptr<StateFile> state;
  if (cfg.esp.enabled && !cfg.esp.state_file.empty()) {
    auto opened = StateFile::open(cfg.esp.state_file);
    if (!opened.file) {
      spdlog::error("{}", opened.error);
      return 1;
    }
    state = std::move(opened.file);
  }

  asio::io_context io;
  media::IpMedium::Options mo;
  mo.listen = cfg.listen;
  if (cfg.esp.enabled) {
    if (cfg.esp.udp_encap)
      mo.natt_port = cfg.esp.natt_port;
    else
      mo.esp = true;
  }
  auto medium = media::IpMedium::open(io, mo);
  if (!medium) {
    spdlog::error("{}", media::IpMedium::os_error());
    return 1;
  }
  auto random = crypto::make_system_random();
  spdlog::info("l2sec {} as {} on {}", L2SEC_VERSION, cfg.role == gateway::Role::lac ? "LAC" : "LNS",
               (*medium)->local_endpoint().to_string());
  for (const auto& line : (*medium)->describe()) spdlog::info("listening on {}", line);
  Shell shell(cfg, **medium, *random, io, state.get());
  if (!shell.check()) return 1;
  shell.start();
  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace l2sec::app
