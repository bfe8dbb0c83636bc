#include "runtime/data/mvn_rectangle_reference.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace parsweep {
namespace {

constexpr char kPath[] = "runtime/data/testdata/mvn_rectangle_reference.csv";
constexpr char kHeader[] = "name,lo,hi,mean,cov,quad,quad_check,exact,scipy_cdf,scipy_abseps";

absl::StatusOr<double> Number(absl::string_view text, const std::string& where) {
  double value;
  if (!absl::SimpleAtod(text, &value)) {
    return absl::DataLossError(absl::StrCat(where, ": '", text, "' is not a number"));
  }
  return value;
}

absl::StatusOr<std::vector<double>> Numbers(absl::string_view text, const std::string& where) {
  std::vector<double> values;
  for (absl::string_view field : absl::StrSplit(text, ';')) {
    absl::StatusOr<double> value = Number(field, where);
    if (!value.ok()) return value.status();
    values.push_back(*value);
  }
  return values;
}

absl::StatusOr<std::optional<double>> Optional(absl::string_view text, const std::string& where) {
  if (text.empty()) return std::optional<double>();
  absl::StatusOr<double> value = Number(text, where);
  if (!value.ok()) return value.status();
  return std::optional<double>(*value);
}

}  // namespace

double MvnReference::best() const {
  if (quad) return *quad;
  if (exact) return *exact;
  return scipy_cdf;
}

absl::StatusOr<std::vector<MvnReference>> ReadMvnReferences() {
  std::ifstream file(kPath);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot open ", kPath));
  std::vector<MvnReference> rows;
  std::string line;
  bool header = false;
  for (int number = 1; std::getline(file, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    if (!header) {
      if (line != kHeader) {
        return absl::DataLossError(
            absl::StrCat(kPath, ":", number, ": expected the header ", kHeader));
      }
      header = true;
      continue;
    }
    const std::vector<absl::string_view> f = absl::StrSplit(line, ',');
    const std::string where = absl::StrCat(kPath, ":", number);
    if (f.size() != 10) {
      return absl::DataLossError(absl::StrCat(where, ": ", f.size(), " fields, not 10"));
    }
    MvnReference r;
    r.name = std::string(f[0]);
    absl::StatusOr<std::vector<double>> lo = Numbers(f[1], where + " lo");
    absl::StatusOr<std::vector<double>> hi = Numbers(f[2], where + " hi");
    absl::StatusOr<std::vector<double>> mean = Numbers(f[3], where + " mean");
    absl::StatusOr<std::vector<double>> cov = Numbers(f[4], where + " cov");
    absl::StatusOr<std::optional<double>> quad = Optional(f[5], where + " quad");
    absl::StatusOr<std::optional<double>> check = Optional(f[6], where + " quad_check");
    absl::StatusOr<std::optional<double>> exact = Optional(f[7], where + " exact");
    absl::StatusOr<double> cdf = Number(f[8], where + " scipy_cdf");
    absl::StatusOr<double> abseps = Number(f[9], where + " scipy_abseps");
    for (const absl::Status& s :
         {lo.status(), hi.status(), mean.status(), cov.status(), quad.status(), check.status(),
          exact.status(), cdf.status(), abseps.status()}) {
      if (!s.ok()) return s;
    }
    r.lo = *lo;
    r.hi = *hi;
    r.mean = *mean;
    r.cov = *cov;
    r.quad = *quad;
    r.quad_check = *check;
    r.exact = *exact;
    r.scipy_cdf = *cdf;
    r.scipy_abseps = *abseps;
    if (r.lo.size() != r.dims() || r.hi.size() != r.dims() || r.cov.size() != r.dims() * r.dims()) {
      return absl::DataLossError(
          absl::StrCat(where, ": the sizes of lo, hi, mean and cov disagree"));
    }
    rows.push_back(std::move(r));
  }
  if (rows.empty()) return absl::DataLossError(absl::StrCat(kPath, " holds no rows"));
  return rows;
}

}  // namespace parsweep
