# Midpoint classification of the real ECR data, in base R, independently of bowlby: subscale
# means after reverse keying (6 - x on 1-5, missing coded 0), scored when at least 9 of the 18
# items are answered (bowlby's default min-answered 0.5), cut at the midpoint 3. A score exactly
# on 3 is unclassified ("unclassified") or counts as high ("high").
#   Rscript tests/reference/real_ecr_midpoint.R DATA.csv OUT.csv
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "real_ecr_keyed.R"))
args <- commandArgs(trailingOnly = TRUE)
x <- read_keyed_ecr(args[1])
score <- function(items) {
  m <- rowMeans(x[, items], na.rm = TRUE)
  m[rowSums(!is.na(x[, items])) < 9] <- NA
  m
}
anx <- score(ecr_anxiety_items)
avo <- score(ecr_avoidance_items)
classify <- function(at_cut) {
  high <- function(s) if (at_cut == "high") s >= 3 else s > 3
  cat <- ifelse(high(anx), ifelse(high(avo), "fearful", "preoccupied"), ifelse(high(avo), "dismissing", "secure"))
  if (at_cut == "unclassified") cat[anx == 3 | avo == 3] <- "unclassified"
  cat[is.na(anx) | is.na(avo)] <- "unclassified"
  sapply(c("secure", "preoccupied", "dismissing", "fearful", "unclassified"), function(k) sum(cat == k))
}
out <- rbind(unclassified = classify("unclassified"), high = classify("high"))
write.csv(data.frame(at_cut = rownames(out), out), args[2], row.names = FALSE, quote = FALSE)
