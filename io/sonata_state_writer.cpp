#include "io/sonata_state_writer.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "io/sonata_state_file.hpp"
#include "partition/error.hpp"

namespace hetspike {

namespace fs = std::filesystem;

namespace {

/// The variables of `reports` in the order they first appear: one file each.
std::vector<std::string> variables_of(const std::vector<state_report>& reports) {
  std::vector<std::string> out;
  for (const auto& r : reports)
    if (std::find(out.begin(), out.end(), r.variable) == out.end()) out.push_back(r.variable);
  return out;
}

}  // namespace

fs::path state_file_path(const fs::path& dir, const std::string& variable) {
  return dir / ("state_" + variable + ".h5");
}

std::vector<fs::path> state_file_paths(const fs::path& dir, const std::vector<state_report>& reports) {
  std::vector<fs::path> out;
  for (const auto& v : variables_of(reports)) out.push_back(state_file_path(dir, v));
  return out;
}

sonata_state_writer::sonata_state_writer(distributed_context ctx, fs::path dir, std::vector<state_report> reports,
                                         double dt_ms, std::string run_id, std::optional<state_file_resume> resume) {
  const sonata_clock clock(dt_ms);
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : reports)
    if (!seen.emplace(r.population, r.variable).second)
      throw internal_error("state files in '" + dir.string() + "': " + r.variable + " of " + r.population +
                           " is reported twice");
  where_.resize(reports.size());
  for (const auto& variable : variables_of(reports)) {
    std::vector<state_report> mine;
    for (std::size_t r = 0; r < reports.size(); ++r) {
      if (reports[r].variable != variable) continue;
      where_[r] = {files_.size(), mine.size()};
      mine.push_back(reports[r]);
    }
    files_.push_back(
        std::make_unique<state_report_file>(ctx, state_file_path(dir, variable), std::move(mine), clock, run_id));
  }
  // Opened after all are constructed, so that a failure half-way leaves every file to its destructor.
  for (auto& f : files_) f->open(resume);
}

sonata_state_writer::~sonata_state_writer() = default;

void sonata_state_writer::write(std::span<const state_block> blocks) {
  if (blocks.size() != where_.size())
    throw internal_error("sonata_state_writer: " + std::to_string(blocks.size()) + " blocks for " +
                         std::to_string(where_.size()) + " reports");
  std::vector<std::vector<state_block>> per_file(files_.size());
  for (std::size_t r = 0; r < blocks.size(); ++r) {
    auto& mine = per_file[where_[r].first];
    mine.resize(std::max(mine.size(), where_[r].second + 1));
    mine[where_[r].second] = blocks[r];
  }
  for (std::size_t f = 0; f < files_.size(); ++f) files_[f]->write(per_file[f]);
}

void sonata_state_writer::close() {
  for (auto& f : files_) f->close();
}

void sonata_state_writer::discard() {
  for (auto& f : files_) f->discard();
}

void sonata_state_writer::sync() {
  for (auto& f : files_) f->sync();
}

std::vector<fs::path> sonata_state_writer::paths() const {
  std::vector<fs::path> out;
  for (const auto& f : files_) out.push_back(f->path());
  return out;
}

std::string sonata_state_writer::resume_problem() const {
  std::string out;
  for (const auto& f : files_)
    if (!f->resume_problem().empty()) out += (out.empty() ? "" : "; ") + f->resume_problem();
  return out;
}

}  // namespace hetspike
