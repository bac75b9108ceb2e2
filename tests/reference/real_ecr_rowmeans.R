# Scores the real ECR data (shared/data/ecr-openpsychometrics/data.csv, 1-5 scale, missing
# coded 0) with base R, independently of bowlby: reverse keying as 6 - x, then
# rowMeans(..., na.rm = TRUE). Used by tests/test_real_ecr.cpp.
#
#   Rscript tests/reference/real_ecr_rowmeans.R DATA.csv OUT.csv
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
items <- as.matrix(d[, paste0("Q", 1:36)])
items[items == 0] <- NA
rev <- c(3, 15, 19, 22, 25, 27, 29, 31, 33, 35)
items[, rev] <- 6 - items[, rev]
anxiety <- rowMeans(items[, seq(2, 36, 2)], na.rm = TRUE)
avoidance <- rowMeans(items[, seq(1, 35, 2)], na.rm = TRUE)
fmt <- function(v) ifelse(is.nan(v) | is.na(v), "", sprintf("%.17g", v))
write.csv(data.frame(anxiety = fmt(anxiety), avoidance = fmt(avoidance)), args[2], row.names = FALSE, quote = FALSE)
