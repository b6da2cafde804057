#pragma once
// Private to io/sonata_state_*.cpp: one state file of sonata_state_writer (the reports of one variable), and rank
// 0's serial preparation of the file a resumed run continues.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/hdf5_handle.hpp"
#include "io/partial_output_file.hpp"
#include "io/sonata_file.hpp"
#include "io/sonata_state_writer.hpp"

namespace hetspike {

/// Where a report's rows start in a file and how many it holds: row k is the report's sample first_row + k.
struct report_rows {
  std::uint64_t first_row = 0;
  std::uint64_t rows = 0;
};

/// Rank 0 only, serial, before any collective call: finds the file to continue (prepare_continuation) among
/// `partial` and `final_path`, one that holds `reports` (in this order) of run `resume.run_id` with every sample
/// up to `resume.step`, and cuts each report back to those samples. On success returns "" and the rows each report
/// keeps in `kept`; else why no candidate qualified.
std::string prepare_state_file_continuation(const std::filesystem::path& final_path,
                                            const std::filesystem::path& partial,
                                            const std::vector<state_report>& reports, const sonata_clock& clock,
                                            const state_file_resume& resume, std::vector<report_rows>& kept);

/// One state file, written by every rank together (sonata_state_writer's layout and contract).
class state_report_file {
 public:
  /// Opens nothing yet (open()).
  state_report_file(distributed_context ctx, std::filesystem::path final_path, std::vector<state_report> reports,
                    const sonata_clock& clock, std::string run_id);
  state_report_file(const state_report_file&) = delete;
  state_report_file& operator=(const state_report_file&) = delete;

  /// Collective: continues the file of the run `resume` names where it can, else creates a new one.
  void open(const std::optional<state_file_resume>& resume);
  /// Collective: appends one block per report, in this file's report order.
  void write(std::span<const state_block> blocks);
  void close();
  void discard();
  void sync();

  const std::filesystem::path& path() const { return file_.final_path(); }
  /// Why the file of the resumed run could not be continued ("" when it was, or without a resume).
  const std::string& resume_problem() const { return resume_problem_; }

 private:
  struct report_datasets {
    h5_group group;
    h5_dataset data;
    h5_dataset time;
  };

  void create_layout();
  void create_report(hid_t parent, const state_report& report, const report_rows& rows);
  /// A dataset of `count` elements of `type` under `group`, written whole by rank 0 from `values` (memory type
  /// `memory_type`).
  h5_dataset create_filled(hid_t group, const char* name, hid_t type, hid_t memory_type, const void* values,
                           hsize_t count, const std::string& where);
  void open_layout();
  void write_time(std::size_t report);
  void append(std::size_t report, const state_block& block);
  void reserve_room(std::span<const state_block> blocks);

  distributed_context ctx_;
  std::vector<state_report> reports_;
  sonata_clock clock_;
  std::string run_id_;
  partial_output_file file_;
  std::vector<report_rows> rows_;
  std::vector<std::uint64_t> rows_at_open_;
  std::vector<report_datasets> datasets_;  ///< after file_: destroyed before it
  file_space_reservation space_;           ///< rank 0's
  std::string resume_problem_;
};

}  // namespace hetspike
