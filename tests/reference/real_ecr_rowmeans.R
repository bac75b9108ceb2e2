# Scores the real ECR data (shared/data/ecr-openpsychometrics/data.csv, 1-5 scale, missing
# coded 0) with base R, independently of bowlby: reverse keying as 6 - x, then
# rowMeans(..., na.rm = TRUE). Used by tests/reference/test_real_ecr.cpp.
#
#   Rscript tests/reference/real_ecr_rowmeans.R DATA.csv OUT.csv
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "real_ecr_keyed.R"))
args <- commandArgs(trailingOnly = TRUE)
items <- read_keyed_ecr(args[1])
anxiety <- rowMeans(items[, ecr_anxiety_items], na.rm = TRUE)
avoidance <- rowMeans(items[, ecr_avoidance_items], na.rm = TRUE)
fmt <- function(v) ifelse(is.nan(v) | is.na(v), "", sprintf("%.17g", v))
write.csv(data.frame(anxiety = fmt(anxiety), avoidance = fmt(avoidance)), args[2], row.names = FALSE, quote = FALSE)
