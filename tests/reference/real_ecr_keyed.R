# Shared by the real-data reference scripts: reads the real ECR file (shared/data/
# ecr-openpsychometrics/data.csv: items Q1-Q36 answered 1-5, missing coded 0) and returns the
# item matrix with missing answers as NA and the ECR's reverse-keyed items (3, 15, 19, 22, 25,
# 27, 29, 31, 33, 35, from shared/instruments.md) reflected as 6 - x. Anxiety is the even
# items, avoidance the odd ones.
read_keyed_ecr <- function(path) {
  d <- read.csv(path)
  x <- as.matrix(d[, paste0("Q", 1:36)])
  x[x == 0] <- NA
  rev <- c(3, 15, 19, 22, 25, 27, 29, 31, 33, 35)
  x[, rev] <- 6 - x[, rev]
  x
}
ecr_anxiety_items <- seq(2, 36, 2)
ecr_avoidance_items <- seq(1, 35, 2)
