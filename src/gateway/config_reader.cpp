#include "gateway/config_reader.hpp"

#include <algorithm>
#include <limits>

namespace l2sec::gateway::cfg {

void Diagnostics::error(const toml::source_region& where, std::string message) {
  errors_.push_back(ConfigError{file_, where.begin.line, where.begin.column, std::move(message)});
}

void Diagnostics::error(std::string message) {
  errors_.push_back(ConfigError{file_, 0, 0, std::move(message)});
}

std::string Diagnostics::place(const toml::source_region& where) const {
  return file_ + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
}

std::vector<ConfigError> Diagnostics::take() {
  auto key = [](const ConfigError& e) {
    std::uint64_t line = e.line == 0 ? std::numeric_limits<std::uint32_t>::max() : e.line;
    return (line << 32) | e.column;
  };
  std::stable_sort(errors_.begin(), errors_.end(),
                   [&](const ConfigError& a, const ConfigError& b) { return key(a) < key(b); });
  return std::move(errors_);
}

std::string show(std::string_view text) {
  constexpr std::size_t kMax = 64;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    char c = text[i];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (text.size() > kMax) out += "...";
  return out;
}

std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& value) {
  std::filesystem::path p(value);
  if (p.is_absolute() || base_dir.empty() || base_dir == ".") return p;  // "x", not "./x", in messages
  return base_dir / p;
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "a value";
}

std::string format_duration(Duration d) {
  auto ns = d.count();
  struct Unit {
    std::int64_t ns;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {
      {3'600'000'000'000, "h"}, {60'000'000'000, "m"}, {1'000'000'000, "s"}, {1'000'000, "ms"}};
  for (const auto& u : kUnits) {
    if (ns % u.ns == 0) return std::to_string(ns / u.ns) + u.suffix;
  }
  return std::to_string(ns) + "ns";
}

void Fields::type_error(std::string_view key, const toml::node& n, std::string_view expected) {
  diag_.error(n.source(), "'" + std::string(key) + "' must be " + std::string(expected) + ", not " +
                              std::string(type_name(n.type())));
}

std::optional<bool> Fields::boolean(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (auto v = n->value_exact<bool>()) return v;
  type_error(key, *n, "a boolean (true or false)");
  return std::nullopt;
}

std::optional<std::int64_t> Fields::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  auto v = n->value_exact<std::int64_t>();
  if (!v) {
    type_error(key, *n, "an integer");
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    diag_.error(n->source(), "'" + std::string(key) + "' must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", not " + std::to_string(*v));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> Fields::string(std::string_view key, std::size_t min_len, std::size_t max_len) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  const auto* s = n->as_string();
  if (!s) {
    type_error(key, *n, "a string");
    return std::nullopt;
  }
  const std::string& v = s->get();
  if (v.size() < min_len || v.size() > max_len) {
    std::string k = "'" + std::string(key) + "'";
    if (v.empty()) {
      diag_.error(n->source(), k + " must not be empty");
    } else if (min_len == max_len) {
      diag_.error(n->source(), k + " must be " + std::to_string(min_len) + " octets long, not " +
                                   std::to_string(v.size()));
    } else {
      diag_.error(n->source(), k + " must be " + std::to_string(min_len) + " to " + std::to_string(max_len) +
                                   " octets long, not " + std::to_string(v.size()));
    }
    return std::nullopt;
  }
  return v;
}

std::optional<Duration> Fields::duration(std::string_view key, Duration min, Duration max) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  std::string k = "'" + std::string(key) + "'";
  std::optional<Duration> d;
  std::string given;
  if (auto s = n->value_exact<std::string>()) {
    d = parse_duration(*s);
    if (!d) {
      diag_.error(n->source(), k + ": cannot read '" + show(*s) +
                                   "' as a duration (a whole number with ms, s, m or h, e.g. \"30s\")");
      return std::nullopt;
    }
    given = show(*s);
  } else if (auto i = n->value_exact<std::int64_t>()) {
    // Whole seconds. Clamp first so the conversion to nanoseconds cannot
    // overflow; a clamped value is outside every range we accept anyway.
    constexpr std::int64_t kCap = std::int64_t{1} << 32;
    std::int64_t secs = std::clamp<std::int64_t>(*i, -kCap, kCap);
    d = Duration(std::chrono::seconds(secs));
    given = std::to_string(*i) + "s";
  } else {
    type_error(key, *n, "a duration string like \"30s\"");
    return std::nullopt;
  }
  if (*d < min || *d > max) {
    diag_.error(n->source(), k + " must be between " + format_duration(min) + " and " + format_duration(max) +
                                 ", not " + given);
    return std::nullopt;
  }
  return d;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (it belongs in [tunnel])", " (did you mean 'name'?)" or "".
std::string hint_for(std::string_view key, const Section& here, std::span<const Section* const> all) {
  for (const Section* s : all) {
    if (s == &here) continue;
    if (std::find(s->keys.begin(), s->keys.end(), key) != s->keys.end()) {
      return " (it belongs " + std::string(s->where) + ")";
    }
  }
  std::string_view best;
  std::size_t best_d = 3;  // suggest only within two edits
  for (std::string_view k : here.keys) {
    std::size_t d = edit_distance(key, k);
    if (d < best_d && d < key.size()) {
      best = k;
      best_d = d;
    }
  }
  return best.empty() ? std::string{} : " (did you mean '" + std::string(best) + "'?)";
}

std::string list_names(std::span<const std::string_view> names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  return out;
}

std::optional<std::size_t> find_name(std::span<const std::string_view> names, std::string_view v) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == v) return i;
  }
  return std::nullopt;
}

}  // namespace

// toml++ quotes some of the text it could not parse ("saw 'x'"); that text
// may be part of a secret, so cut such quotes out of its messages (the
// position still points at the text).
std::string scrub(std::string_view description) {
  std::string s(description);
  // "expected digit, saw 'x'", "expected month between 1 and 12, saw 56"
  if (auto at = s.find(", saw "); at != std::string::npos) s.resize(at);
  if (auto at = s.find(" sequence '"); at != std::string::npos) s.resize(at + 9);  // "escape sequence '\\q'"
  // Numbers: "'1234...' is not representable in 64 bits", "'...' could not
  // be interpreted as a value", "...error occurred while trying to
  // interpret '...' as a value".
  struct Quoted {
    std::string_view after;        // text that follows the closing quote
    std::string_view replacement;  // for everything from the opening quote
  };
  static constexpr Quoted kQuoted[] = {
      {"' is not representable in 64 bits", "the value is not representable in 64 bits"},
      {"' could not be interpreted as a value", "the value could not be interpreted"},
      {"' as a value", "the value"},
  };
  auto open = s.find('\'');
  auto close = s.rfind('\'');
  if (open != std::string::npos && close != open) {
    for (const Quoted& q : kQuoted) {
      if (s.compare(close, std::string::npos, q.after) == 0) {
        s = s.substr(0, open) + std::string(q.replacement);
        break;
      }
    }
  }
  return s;
}

void check_keys(Diagnostics& diag, const toml::table& t, const Section& section,
                std::span<const Section* const> all) {
  for (auto&& [k, v] : t) {
    (void)v;
    if (std::find(section.keys.begin(), section.keys.end(), k.str()) != section.keys.end()) continue;
    std::string name = section.echo_keys ? "'" + show(k.str()) + "' " : std::string{};
    diag.error(k.source(),
               "unknown key " + name + std::string(section.where) + hint_for(k.str(), section, all));
  }
}

std::optional<std::size_t> Fields::choice(std::string_view key, std::span<const std::string_view> names) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  auto s = n->value_exact<std::string>();
  if (!s) {
    type_error(key, *n, "a string (one of " + list_names(names) + ")");
    return std::nullopt;
  }
  auto i = find_name(names, *s);
  if (!i) {
    diag_.error(n->source(), "'" + std::string(key) + "' must be one of " + list_names(names) + ", not '" +
                                 show(*s) + "'");
  }
  return i;
}

std::optional<std::uint32_t> Fields::flags(std::string_view key, std::span<const std::string_view> names,
                                           std::span<const std::uint32_t> bits, bool allow_empty) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  const auto* arr = n->as_array();
  std::string k = "'" + std::string(key) + "'";
  if (!arr) {
    type_error(key, *n, "an array of strings (" + list_names(names) + ")");
    return std::nullopt;
  }
  if (arr->empty() && !allow_empty) {
    diag_.error(n->source(), k + " must list at least one of " + list_names(names));
    return std::nullopt;
  }
  std::uint32_t out = 0;
  bool ok = true;
  for (const toml::node& e : *arr) {
    auto s = e.value_exact<std::string>();
    std::optional<std::size_t> i;
    if (!s) {
      diag_.error(e.source(), "each item of " + k + " must be a string (one of " + list_names(names) +
                                  "), not " + std::string(type_name(e.type())));
    } else if (!(i = find_name(names, *s))) {
      diag_.error(e.source(),
                  "each item of " + k + " must be one of " + list_names(names) + ", not '" + show(*s) + "'");
    }
    if (!i) {
      ok = false;
      continue;
    }
    out |= bits[*i];
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace l2sec::gateway::cfg
