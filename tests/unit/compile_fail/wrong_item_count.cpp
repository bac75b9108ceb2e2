// Must not compile: a fixed-size input with 35 columns given to the 36-item ECR scorer is
// caught at compile time. With BOWLBY_CONTROL defined the same code uses 36 columns and must
// compile, which shows that the failure comes from the check and nothing else.
#include <bowlby/score.hpp>

#ifdef BOWLBY_CONTROL
constexpr int columns = 36;
#else
constexpr int columns = 35;
#endif

int main() {
    const bowlby::scorer<bowlby::instruments::ecr> ecr;
    const Eigen::Matrix<double, Eigen::Dynamic, columns> answers = Eigen::Matrix<double, 4, columns>::Constant(4);
    return ecr.score(answers).rows() == 4 ? 0 : 1;
}
