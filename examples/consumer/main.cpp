// A consumer of the bowlby package: scores two ECR-S respondents held in the application's own
// buffer (one byte per answer, row-major), without copying it, and checks the result.
#include <bowlby/bowlby.hpp>

#include <cstdint>
#include <cstdio>

int main() {
    // ECR-S, 12 items on 1-7. Avoidance = 1,3,5,7,9,11 (1, 5, 9 reversed); anxiety = 2,...,12 (8 reversed).
    const std::uint8_t answers[2][12] = {
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},  // avoidance (3*1 + 3*7)/6 = 4; anxiety (5*1 + 7)/6 = 2
        {5, 6, 3, 6, 5, 6, 3, 2, 5, 6, 3, 6},  // every keyed item at its target: avoidance 3, anxiety 6
    };
    const Eigen::Map<const Eigen::Matrix<std::uint8_t, 2, 12, Eigen::RowMajor>> view(&answers[0][0]);

    const bowlby::scorer<bowlby::instruments::ecr_s> ecr_s;
    const auto table = ecr_s.score(view);
    const auto anxiety = table.column("anxiety");
    const auto avoidance = table.column("avoidance");
    std::printf("respondent 1: anxiety %.4f, avoidance %.4f\n", anxiety(0), avoidance(0));
    std::printf("respondent 2: anxiety %.4f, avoidance %.4f\n", anxiety(1), avoidance(1));
    const bool ok = anxiety(0) == 2 && avoidance(0) == 4 && anxiety(1) == 6 && avoidance(1) == 3;
    std::printf("bowlby %s: %s\n", bowlby::version_string, ok ? "ok" : "WRONG SCORES");
    return ok ? 0 : 1;
}
