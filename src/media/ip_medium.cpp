#include "media/ip_medium.hpp"

#include "esp/framing.hpp"

namespace l2sec::media {
namespace {
thread_local std::string g_last_error;
}

std::string IpMedium::os_error() { return g_last_error; }

Result<std::unique_ptr<IpMedium>> IpMedium::open(boost::asio::io_context& io, const Options& opt) {
  std::unique_ptr<IpMedium> m(new IpMedium());
  auto l2tp = UdpMedium::open(io, opt.listen);
  if (!l2tp) {
    g_last_error = UdpMedium::os_error();
    return l2tp.error();
  }
  m->l2tp_ = std::move(*l2tp);
  if (opt.esp) {
    auto esp = RawEspSocket::open(io, opt.listen);
    if (!esp) {
      g_last_error = "ESP (IP protocol 50): " + RawEspSocket::os_error();
      return esp.error();
    }
    m->esp_ = std::move(*esp);
  }
  if (opt.natt_port) {
    Endpoint n = opt.listen;
    n.port = *opt.natt_port;
    auto natt = UdpMedium::open(io, n);
    if (!natt) {
      g_last_error = "ESP-in-UDP: " + UdpMedium::os_error();
      return natt.error();
    }
    m->natt_ = std::move(*natt);
    m->natt_->send_without_checksum();  // best effort: a checksum is still valid
  }
  return m;
}

void IpMedium::start(Handlers h) {
  handlers_ = std::move(h);
  l2tp_->start([this](const Endpoint& from, PacketBuf&& p) { handlers_.l2tp(from, std::move(p)); });
  if (esp_)
    esp_->start([this](const Endpoint& from, const Endpoint& to, PacketBuf&& p) {
      handlers_.esp(from, to, std::move(p), false);
    });
  if (natt_) natt_->start([this](const Endpoint& from, PacketBuf&& p) { on_natt(from, std::move(p)); });
}

void IpMedium::on_natt(const Endpoint& from, PacketBuf&& datagram) {
  switch (esp::classify_natt(datagram.bytes())) {
    case esp::NattKind::esp:
      handlers_.esp(from, natt_->local_endpoint(), std::move(datagram), true);
      return;
    case esp::NattKind::keepalive:
      counters_.inc(Ctr::media_rx_natt_keepalive);
      return;
    case esp::NattKind::ike:
      counters_.inc(Ctr::media_rx_ike_unhandled);
      return;
    case esp::NattKind::runt:
      counters_.inc(Ctr::media_rx_runt);
      return;
  }
}

void IpMedium::close() {
  l2tp_->close();
  if (esp_) esp_->close();
  if (natt_) natt_->close();
}

void IpMedium::send(const Endpoint& to, PacketBuf&& datagram) { l2tp_->send(to, std::move(datagram)); }

void IpMedium::send_esp(const Endpoint& to, PacketBuf&& esp, bool udp_encap) {
  if (udp_encap) {
    if (natt_) return natt_->send(to, std::move(esp));
  } else if (esp_) {
    return esp_->send(to, std::move(esp));
  }
  counters_.inc(Ctr::media_tx_errors);  // the configuration opened no socket for it
}

Counters IpMedium::counters() const {
  Counters c = counters_;
  c += l2tp_->counters();
  if (esp_) c += esp_->counters();
  if (natt_) c += natt_->counters();
  return c;
}

std::vector<std::string> IpMedium::describe() const {
  std::vector<std::string> v{"udp " + l2tp_->local_endpoint().to_string() + " (L2TP)"};
  if (esp_) {
    Endpoint a = esp_->local();
    a.port = 0;
    std::string s = a.to_string();
    if (auto c = s.rfind(":0"); c != std::string::npos && c + 2 == s.size()) s.resize(c);
    v.push_back("ip protocol 50 " + s + " (ESP)");
  }
  if (natt_) v.push_back("udp " + natt_->local_endpoint().to_string() + " (ESP-in-UDP)");
  return v;
}

}  // namespace l2sec::media
