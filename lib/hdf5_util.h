// Small RAII and attribute helpers over the HDF5 C API, shared by the HDF5 files of gankit
// (the image pyramid store, the feature store). Internal to gankit::core.
#pragma once

#include <hdf5.h>

#include <map>
#include <string>
#include <vector>

namespace gankit::h5 {

// Owns one HDF5 identifier and closes it with the matching function.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  void reset() { (void)close(); }
  // Closes now and returns the close function's status (HDF5 writes cached data on close, so a
  // writer must look at it); the handle is empty afterwards whatever the status.
  herr_t close() {
    herr_t status = 0;
    if (id_ >= 0 && close_) status = close_(id_);
    id_ = -1;
    return status;
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

// HDF5 prints its own error stacks to stderr by default; a user should see only our one line.
// Per thread: call it on every thread that uses HDF5.
void silence_hdf5();

// Throws when `status` < 0: Error(Data) "cannot write FILE: disk full (ENOSPC)" (or the file
// size limit, or the quota) when a write did not fit, Error(Data) with the system error when
// another system call failed, else Error(Internal) "HDF5 error: <what>".
void check(herr_t status, const std::string& what);
// Closes `h` (a file or dataset being written) and checks the status as check() does.
void close_checked(Handle& h, const std::string& what);

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value);
void write_string_array_attribute(hid_t obj, const std::string& name, const std::vector<std::string>& values);
// Reads a string or string-array attribute (fixed or variable length) as strings; empty when
// the attribute is not a string.
std::vector<std::string> read_string_attribute(hid_t attr);
// Every scalar string attribute of `obj`, by name.
std::map<std::string, std::string> read_string_attributes(hid_t obj);

}  // namespace gankit::h5
