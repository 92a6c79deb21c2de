// A fresh directory for one test, removed with everything in it at the end.
// write() creates a file with a given mode (key, secret and state files are
// refused when group or others may read them).
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace l2sec::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "l2sec-test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    char* p = ::mkdtemp(tmpl.data());
    if (p == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content, mode_t mode = 0600) const {
    std::filesystem::path p = path_ / name;
    {
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << content;
    }
    if (::chmod(p.c_str(), mode) != 0) throw std::runtime_error("chmod failed");
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace l2sec::test
