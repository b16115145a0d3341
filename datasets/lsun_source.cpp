// LSUN: one lmdb database per category (a folder holding data.mdb, or data.mdb itself). Keys
// are ASCII image ids, values encoded images (webp or jpeg). Opened read-only without locking,
// so a database on a read-only medium or in use by another reader works.
#include <lmdb.h>

#include <cstring>

#include "atomic_output.h"
#include "error.h"
#include "image_source.h"

namespace gankit {
namespace fs = std::filesystem;

namespace {

void check_mdb(int rc, const fs::path& path, const char* what) {
  GANKIT_CHECK_DATA(rc == MDB_SUCCESS, "{}: lmdb {} failed: {}", path.string(), what, mdb_strerror(rc));
}

class LsunSource : public EncodedImageSource {
 public:
  explicit LsunSource(const fs::path& path) : path_(path) {
    const bool is_file = fs::is_regular_file(path);
    GANKIT_CHECK_DATA(is_file || fs::exists(path / "data.mdb"), "{}: no lmdb database (expected {}/data.mdb)",
                      path.string(), path.string());
    note_input(is_file ? path : path / "data.mdb");
    check_mdb(mdb_env_create(&env_), path, "env_create");
    unsigned flags = MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS | (is_file ? MDB_NOSUBDIR : 0u);
    int rc = mdb_env_open(env_, path.c_str(), flags, 0444);
    if (rc != MDB_SUCCESS) {
      mdb_env_close(env_);
      env_ = nullptr;
      check_mdb(rc, path, "open");
    }
    check_mdb(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn_), path, "txn_begin");
    check_mdb(mdb_dbi_open(txn_, nullptr, 0, &dbi_), path, "dbi_open");
    MDB_stat st;
    check_mdb(mdb_stat(txn_, dbi_, &st), path, "stat");
    count_ = static_cast<int64_t>(st.ms_entries);
    check_mdb(mdb_cursor_open(txn_, dbi_, &cursor_), path, "cursor_open");
  }
  ~LsunSource() override {
    if (cursor_) mdb_cursor_close(cursor_);
    if (txn_) mdb_txn_abort(txn_);
    if (env_) mdb_env_close(env_);
  }
  std::string format() const override { return "lsun"; }
  int64_t count() const override { return count_; }

 protected:
  bool next_encoded(Encoded& e) override {
    MDB_val key, val;
    int rc = mdb_cursor_get(cursor_, &key, &val, first_ ? MDB_FIRST : MDB_NEXT);
    first_ = false;
    if (rc == MDB_NOTFOUND) return false;
    check_mdb(rc, path_, "cursor_get");
    e.name = "lmdb:" + std::string(static_cast<const char*>(key.mv_data), key.mv_size);
    const auto* b = static_cast<const uint8_t*>(val.mv_data);
    const bool webp = val.mv_size >= 12 && std::memcmp(b, "RIFF", 4) == 0 && std::memcmp(b + 8, "WEBP", 4) == 0;
    const bool jpeg = val.mv_size >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff;
    const bool png = val.mv_size >= 8 && std::memcmp(b, "\x89PNG", 4) == 0;
    if (!webp && !jpeg && !png)
      e.error = fmt::format("{} in {}: value is not webp, jpeg or png (magic bytes {:02x} {:02x} {:02x} {:02x})",
                            e.name, path_.string(), val.mv_size > 0 ? b[0] : 0, val.mv_size > 1 ? b[1] : 0,
                            val.mv_size > 2 ? b[2] : 0, val.mv_size > 3 ? b[3] : 0);
    else
      e.bytes.assign(b, b + val.mv_size);
    return true;
  }

 private:
  fs::path path_;
  MDB_env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
  MDB_dbi dbi_ = 0;
  MDB_cursor* cursor_ = nullptr;
  int64_t count_ = 0;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<ImageSource> open_lsun(const fs::path& path) { return std::make_unique<LsunSource>(path); }

}  // namespace gankit
