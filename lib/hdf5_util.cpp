#include "hdf5_util.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "atomic_output.h"
#include "error.h"

namespace gankit::h5 {

void silence_hdf5() {
  static bool done = [] {
    // HDF5 closes files left open at exit, and crashes doing so for a file whose writes failed
    // (a full disk): our writers close what they can, and the process exits without that step.
    H5dont_atexit();
    return true;
  }();
  (void)done;
  // The thread-safe library keeps the error-printing setting per thread (a background reader
  // would print stacks otherwise).
  static thread_local bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

namespace {

// What HDF5's file driver recorded of the failed system call on the current error stack: its
// "errno = N" and "filename = '...'" (the sec2 driver's message), when there is one.
struct SystemError {
  int err = 0;
  std::string file;
};

herr_t find_system_error(unsigned, const H5E_error2_t* e, void* data) {
  auto* out = static_cast<SystemError*>(data);
  if (out->err != 0 || e->desc == nullptr) return 0;
  const std::string desc = e->desc;
  const size_t at = desc.find("errno = ");
  if (at == std::string::npos) return 0;
  out->err = std::atoi(desc.c_str() + at + 8);
  const size_t name = desc.find("filename = '");
  if (name != std::string::npos) {
    const size_t end = desc.find('\'', name + 12);
    if (end != std::string::npos) out->file = desc.substr(name + 12, end - name - 12);
  }
  return 0;
}

}  // namespace

void check(herr_t status, const std::string& what) {
  if (status >= 0) return;
  SystemError sys;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, find_system_error, &sys);
  if (sys.err == ENOSPC || sys.err == EFBIG || sys.err == EDQUOT)
    fail(ErrorKind::Data, fmt::format("cannot write {}: {}", sys.file.empty() ? what : output_name(sys.file),
                                      describe_write_errno(sys.err)));
  if (sys.err != 0)
    fail(ErrorKind::Data, fmt::format("HDF5 error: {}{}: {}", what, sys.file.empty() ? "" : " (" + sys.file + ")",
                                      std::strerror(sys.err)));
  fail(ErrorKind::Internal, fmt::format("HDF5 error: {}", what));
}

void close_checked(Handle& h, const std::string& what) {
  if (!h.valid()) return;
  const herr_t status = h.close();
  check(status, what);
}

void write_string_attribute(hid_t obj, const std::string& name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  check(H5Tset_size(type.get(), H5T_VARIABLE), "string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string type");
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  GANKIT_CHECK(attr.valid(), Internal, "cannot create attribute {}", name);
  const char* ptr = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &ptr), "write attribute " + name);
}

void write_string_array_attribute(hid_t obj, const std::string& name, const std::vector<std::string>& values) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  check(H5Tset_size(type.get(), H5T_VARIABLE), "string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string type");
  hsize_t dims[1] = {values.size()};
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle attr(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  GANKIT_CHECK(attr.valid(), Internal, "cannot create attribute {}", name);
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  check(H5Awrite(attr.get(), type.get(), ptrs.data()), "write attribute " + name);
}

std::vector<std::string> read_string_attribute(hid_t attr) {
  Handle type(H5Aget_type(attr), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  Handle space(H5Aget_space(attr), H5Sclose);
  hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
    if (H5Aread(attr, mem.get(), ptrs.data()) < 0) return {};
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    size_t size = H5Tget_size(type.get());
    std::vector<char> buf(size * static_cast<size_t>(n) + 1, '\0');
    if (H5Aread(attr, type.get(), buf.data()) < 0) return {};
    for (hssize_t i = 0; i < n; ++i) {
      const char* p = buf.data() + i * size;
      out.emplace_back(p, strnlen(p, size));
    }
  }
  return out;
}

std::map<std::string, std::string> read_string_attributes(hid_t obj) {
  std::map<std::string, std::string> out;
  H5O_info_t oinfo;
  if (H5Oget_info2(obj, &oinfo, H5O_INFO_NUM_ATTRS) < 0) return out;
  for (hsize_t i = 0; i < oinfo.num_attrs; ++i) {
    Handle attr(H5Aopen_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.valid()) continue;
    char name[256];
    H5Aget_name(attr.get(), sizeof(name), name);
    auto values = read_string_attribute(attr.get());
    if (values.size() == 1) out[name] = values[0];
  }
  return out;
}

}  // namespace gankit::h5
