// Result<T>: a value or an Error, for every fallible call in the engines.
// Errors carry a code and a static description (no allocation on the hot
// path); callers that need context (config, file names) wrap them.
#pragma once

#include <cassert>
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

namespace l2sec {

enum class Errc : std::uint8_t {
  truncated,      // input ends before a field it announces
  malformed,      // a field holds a value the format forbids
  unsupported,    // valid, but not something we implement
  out_of_range,   // a value outside what the caller allows
  invalid_state,  // the call does not fit the object's state
  not_found,      // no such tunnel, session, SA...
  exists,         // already there
  no_resources,   // a configured limit is reached
  auth_failed,    // authentication check failed
  io,             // an OS call failed (edges only)
};

std::string_view errc_name(Errc c) noexcept;

struct Error {
  Errc code;
  std::string_view what;  // static text: never formatted, never a secret
  friend bool operator==(const Error& a, const Error& b) { return a.code == b.code; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error e) : v_(e) {}                 // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(e), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const { assert(!ok_); return err_; }

 private:
  Error err_{Errc::malformed, {}};
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

}  // namespace l2sec
