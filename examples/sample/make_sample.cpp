// Writes the bundled synthetic sample, examples/sample/ecr-sample.csv: made-up answers to the
// 36 ECR items (1-7) with a realistic structure, so the tool can be tried without real data.
//
//   bowlby_make_sample [ROWS] > ecr-sample.csv        (default 2000 rows, fixed seed)
//
// Each respondent has latent anxiety and avoidance (correlated 0.2); an item answer is the
// rounded, clipped 4 + 1.4 * (0.75 * latent + 0.66 * noise), reflected for reverse-keyed
// items. About 2% of answers are missing (written as empty cells or NA), and one respondent in
// fifty skips most of the anxiety items. The random numbers come from std::mt19937_64, whose
// output the C++ standard fixes, and a Box-Muller transform written out here, so the file is
// the same on every platform.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {
std::mt19937_64 rng(20261122);
double uniform() { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}
bool is_reversed(int item) {
    for (int r : {3, 15, 19, 22, 25, 27, 29, 31, 33, 35})
        if (r == item) return true;
    return false;
}
}  // namespace

int main(int argc, char** argv) {
    const long rows = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 2000;
    std::string out = "id";
    for (int i = 1; i <= 36; ++i) out += ",Q" + std::to_string(i);
    out += "\n";
    for (long r = 1; r <= rows; ++r) {
        if (out.size() > (1 << 16)) {  // stream: memory stays small for any row count
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
        const double anxiety = normal();
        const double avoidance = 0.2 * anxiety + std::sqrt(1 - 0.04) * normal();
        const bool skips_anxiety = uniform() < 0.02;
        out += "R" + std::to_string(r);
        for (int item = 1; item <= 36; ++item) {
            const bool anxiety_item = item % 2 == 0;
            double z = 0.75 * (anxiety_item ? anxiety : avoidance) + 0.66 * normal();
            if (is_reversed(item)) z = -z;
            const long answer = std::clamp(std::lround(4 + 1.4 * z), 1L, 7L);
            const double u = uniform();
            out += ",";
            if (skips_anxiety && anxiety_item && item > 6) continue;  // empty cell
            if (u < 0.015) continue;                                  // empty cell
            if (u < 0.02)
                out += "NA";
            else
                out += std::to_string(answer);
        }
        out += "\n";
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
