// One L2TP session (call) and the four call state machines of RFC 2661 §7.4
// and §7.5, as tables: which received message each (role, state) accepts,
// and what every other message does. The engine (engine_session.cpp) runs
// the accepted transitions; this file only decides.
//
//   role          we are  we sent / received   states
//   lac_incoming  LAC     sent ICRQ             wait-tunnel, wait-reply, established
//   lns_incoming  LNS     received ICRQ         wait-connect, established
//   lns_outgoing  LNS     sent OCRQ             wait-tunnel, wait-reply, wait-connect, established
//   lac_outgoing  LAC     received OCRQ         established (our bearer is virtual: the
//                                               call is answered at once, so wait-cs-answer
//                                               lasts no longer than sending OCRP + OCCN)
//
// The "idle" rows of the tables (a message for a session that does not
// exist) are handled by the engine before a Session is found.
//
// Size matters: an LNS holds tens of thousands of these. A Session is
// 24 octets; call parameters (numbers) are not kept once sent.
#pragma once

#include <cstdint>
#include <string>

#include "l2tp/data.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {

enum class CallRole : std::uint8_t { lac_incoming, lns_incoming, lns_outgoing, lac_outgoing };
enum class CallState : std::uint8_t { wait_tunnel, wait_reply, wait_connect, established };

std::string_view call_role_name(CallRole r) noexcept;
std::string_view call_state_name(CallState s) noexcept;

inline bool is_lac(CallRole r) { return r == CallRole::lac_incoming || r == CallRole::lac_outgoing; }

struct Session {
  std::uint16_t local_id = 0;   // ours: the Session ID the peer puts in its headers
  std::uint16_t peer_id = 0;    // the peer's Assigned Session ID (0 until known)
  CallRole role = CallRole::lac_incoming;
  CallState state = CallState::wait_tunnel;
  std::uint16_t setup_tag = 0;  // matches its Tunnel::SetupDeadline entry
  // What we still have to send once the peer answers (ICCN as LAC).
  std::uint32_t tx_connect_speed = 0;
  std::uint32_t framing_type = 0;
  DataSeq seq;                  // data channel sequencing (§5.4)
};

// What a received session message does to a session in (role, state).
enum class CallAction : std::uint8_t {
  process,        // the transition the table defines (the engine runs it)
  cdn_and_clear,  // "Send CDN, Clean up": out of sequence
  clear,          // "Clean up" without a CDN (e.g. ICCN while waiting for ICRP)
  ignore,         // not in any table (e.g. WEN before established): count, drop
};

// The §7.4 / §7.5 tables. CDN is `process` in every state; WEN and SLI are
// `process` on established sessions (§6.13, §6.14).
CallAction call_action(CallRole role, CallState state, MessageType type) noexcept;

// --- messages a call sends (§6.6-§6.12) ---

// ICRQ: Assigned Session ID, Call Serial Number, Bearer Type, Called and
// Calling Number when non-empty.
ControlMessage make_icrq(std::uint16_t local_session, std::uint32_t serial, std::uint32_t bearer_type,
                         const std::string& called, const std::string& calling);
ControlMessage make_icrp(std::uint16_t local_session);
// ICCN: Tx Connect Speed, Framing Type, Sequencing Required when asked.
ControlMessage make_iccn(std::uint32_t tx_connect_speed, std::uint32_t framing_type, bool sequencing);
// OCRQ: Assigned Session ID, Call Serial Number, Minimum/Maximum BPS,
// Bearer Type, Framing Type, Called Number.
ControlMessage make_ocrq(std::uint16_t local_session, std::uint32_t serial, std::uint32_t min_bps,
                         std::uint32_t max_bps, std::uint32_t bearer_type, std::uint32_t framing_type,
                         const std::string& called);
ControlMessage make_ocrp(std::uint16_t local_session);
ControlMessage make_occn(std::uint32_t tx_connect_speed, std::uint32_t framing_type, bool sequencing);
// CDN: Result Code and Assigned Session ID = ours (the one the peer first
// learned; §6.12).
ControlMessage make_cdn(std::uint16_t local_session, const ResultCode& why);
ControlMessage make_wen(const CallErrors& errors);
ControlMessage make_sli(const Accm& accm);

// The Result Code of a CDN sent because a message arrived out of sequence:
// 2 (see error) with error 6 and a text naming message and state (§4.4.2
// has no FSM-error code for calls).
ResultCode call_fsm_error(MessageType got, CallState state);

}  // namespace l2sec::l2tp
