#include "io/sonata_file.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include "partition/error.hpp"

namespace hetspike {

namespace {

constexpr std::uint32_t sonata_magic = 0x0A7A;
constexpr std::uint32_t sonata_version[2] = {0, 1};

}  // namespace

void write_sonata_root(const hdf5_checker& check, hid_t file, const std::string& run_id) {
  h5_dataspace pair(check(H5Screate_simple(1, std::array<hsize_t, 1>{2}.data(), nullptr), "H5Screate_simple"));
  h5_write_scalar_attribute(check, file, "magic", H5T_NATIVE_UINT32, &sonata_magic, "/ attribute magic");
  h5_write_attribute(check, file, "version", H5T_NATIVE_UINT32, pair.get(), sonata_version, "/ attribute version");
  h5_write_string_attribute(check, file, "run_id", run_id.c_str(), "/ attribute run_id");
}

std::string run_id_problem(const hdf5_checker& check, hid_t file, const std::string& run_id) {
  if (H5Aexists(file, "run_id") <= 0) return "it has no run_id";
  const std::string id = h5_read_string_attribute(check, file, "run_id", "/ attribute run_id");
  return id == run_id ? std::string() : "it belongs to run " + id + ", not " + run_id;
}

sonata_clock::sonata_clock(double dt_ms) : dt_(dt_ms), steps_per_ms_(0) {
  if (!(dt_ms > 0) || !std::isfinite(dt_ms))
    throw internal_error("SONATA file: dt must be positive, got " + std::to_string(dt_ms) + " ms");
  const double k = std::round(1.0 / dt_ms);
  if (k >= 1 && k * dt_ms == 1.0) steps_per_ms_ = k;
}

double sonata_clock::at(step_type boundary) const {
  const auto steps = static_cast<double>(boundary);
  return steps_per_ms_ > 0 ? steps / steps_per_ms_ : steps * dt_;
}

step_type sonata_clock::boundary_near(double t) const {
  return std::llround(steps_per_ms_ > 0 ? t * steps_per_ms_ : t / dt_);
}

}  // namespace hetspike
