#include "l2tp/data.hpp"

namespace l2sec::l2tp {

void push_data_header(PacketBuf& frame, std::uint16_t peer_tunnel, std::uint16_t peer_session,
                      bool length_field, DataSeq& seq) {
  Header h;
  h.control = false;
  h.has_length = length_field;
  h.tunnel_id = peer_tunnel;
  h.session_id = peer_session;
  if (seq.tx || seq.required) {
    h.has_sequence = true;
    h.ns = seq.ns++;
    h.nr = 0;  // reserved in data messages (§3.1)
  }
  push_header(frame, h);
}

DataVerdict on_data_received(const Header& h, bool we_are_lac, DataSeq& seq) {
  if (we_are_lac && !seq.required) seq.tx = h.has_sequence;  // §5.4: the LNS decides
  if (!h.has_sequence) return DataVerdict::deliver;
  if (seq.rx_started && seq_before(h.ns, seq.nr)) return DataVerdict::old;
  seq.rx_started = true;
  seq.nr = static_cast<std::uint16_t>(h.ns + 1);
  return DataVerdict::deliver;
}

}  // namespace l2sec::l2tp
