#pragma once
// Private to io/sonata_spike_*.cpp: the pieces of sonata_spike_writer that need no collective call: its argument
// checks, the `sorting` type, the probe of the output path, its disk-space account, and choosing and preparing the
// file that a resumed run continues.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "io/hdf5_handle.hpp"
#include "io/partial_output_file.hpp"
#include "io/sonata_spike_writer.hpp"

namespace hetspike {

/// The values of the `sorting` attribute. libsonata reads it into an enum over char with these names, and
/// HDF5 converts enum to enum by name, so the names are the contract.
enum class sonata_sorting : std::int8_t { none = 0, by_id = 1, by_time = 2 };

/// The HDF5 enum type of `sorting`.
h5_datatype sorting_enum_type(const hdf5_checker& check);

/// Throws input_error for population names that cannot name an HDF5 group or repeat, internal_error for a
/// dt that is not positive or resume positions that do not match the populations.
void validate(const std::vector<sonata_population>& populations, double dt_ms, const std::filesystem::path& path,
              const std::optional<spike_file_resume>& resume);

/// Population indices ordered by first gid, for the binary search in population_of(); throws if ranges overlap.
std::vector<std::size_t> order_by_first_gid(const std::vector<sonata_population>& pops,
                                            const std::filesystem::path& path);

/// Rank 0's account of the disk space a spike file needs (file_space_reservation): whole chunks for the spikes
/// written since the file was opened.
class spike_file_space {
 public:
  /// Every population has two datasets of 8-byte elements in chunks of `chunk_elements`.
  explicit spike_file_space(std::uint64_t chunk_elements) : chunk_bytes_(chunk_elements * 8) {}

  /// The file was just opened holding `counts` spikes per population (0 for a new file), `base` bytes long.
  void opened(std::uint64_t base, std::vector<std::uint64_t> counts);

  /// Reserves room for populations growing to `counts` (rank 0). Returns the problem, or "".
  std::string reserve(const std::filesystem::path& file, const std::vector<std::uint64_t>& counts);

  /// HDF5 cut the file back to its end of allocation (a flush): reserve again before the next append.
  void flushed() { reservation_.flushed(); }

 private:
  std::uint64_t chunk_bytes_;
  std::vector<std::uint64_t> start_;
  file_space_reservation reservation_;
};

/// Rank 0 only, serial (HDF5's POSIX driver), before any collective call: finds the file to continue (`partial`,
/// then `final_path`; see sonata_spike_writer's constructor and prepare_continuation), copies a final file to
/// `partial`, and cuts every population of `partial` back to `resume.positions`. Returns "" when `partial` is ready to
/// be continued, else why no candidate qualified (each candidate's reason). Never throws for a bad candidate.
std::string prepare_spike_file_continuation(const std::filesystem::path& final_path,
                                            const std::filesystem::path& partial,
                                            const std::vector<sonata_population>& populations,
                                            const spike_file_resume& resume);

}  // namespace hetspike
